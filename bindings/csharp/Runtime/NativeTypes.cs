// The structs of gameye.h, field by field and in the same order, so that
// LayoutKind.Sequential gives the C layout (tests/csharp/layout.c checks every
// offset against the C compiler's). Field names are the C names on purpose.
// These structs are only ever read from library memory (Marshal.PtrToStructure);
// never allocate one and pass it to the library.

using System;
using System.Runtime.InteropServices;

#pragma warning disable 0649 // fields are written by the marshaller, not by C#

namespace GameyeSdk.Native
{
    /// <summary>struct GameyeViolation.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeViolation
    {
        public IntPtr field;        // const char *, never NULL
        public IntPtr description;  // const char *, never NULL
    }

    /// <summary>struct GameyePort.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyePort
    {
        public IntPtr protocol;     // const char *, never NULL
        public ushort container;    // uint16_t
        public ushort host;         // uint16_t
    }

    /// <summary>struct GameyeSession.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeSession
    {
        public IntPtr id;           // const char *
        public IntPtr host;         // const char *
        public IntPtr ports;        // const GameyePort *
        public UIntPtr ports_len;   // size_t
    }

    /// <summary>struct GameyeKeyValue.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeKeyValue
    {
        public IntPtr key;
        public IntPtr value;
    }

    /// <summary>struct GameyeSessionInfo.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeSessionInfo
    {
        public IntPtr id;
        public IntPtr image;
        public IntPtr tag;          // NULL when the server did not say
        public IntPtr location;
        public IntPtr host;
        public long created_ms;     // int64_t
        public IntPtr ports;        // const GameyePort *
        public UIntPtr ports_len;
        public IntPtr status;       // NULL when the server did not say
        public uint state;          // GameyeSessionState
        public IntPtr labels;       // const GameyeKeyValue *
        public UIntPtr labels_len;
        public long player_count;   // -1 when unknown
        public IntPtr joined;       // const char *const *
        public UIntPtr joined_len;
    }

    /// <summary>struct GameyeLocation.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeLocation
    {
        public IntPtr id;
        public IntPtr ips;          // const char *const *
        public UIntPtr ips_len;
    }

    /// <summary>struct GameyeResult. Read it with Marshal.PtrToStructure; never copy one back.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GameyeResult
    {
        public uint status;             // GameyeStatus
        public ushort http_status;      // uint16_t
        public IntPtr message;
        public IntPtr code;
        public IntPtr details;
        public IntPtr identifier;
        public IntPtr violations;       // const GameyeViolation *
        public UIntPtr violations_len;
        public IntPtr body;             // may hold NUL bytes; use body_len
        public UIntPtr body_len;
        public IntPtr session;          // const GameyeSession *
        public IntPtr sessions;         // const GameyeSessionInfo *
        public UIntPtr sessions_len;
        public IntPtr session_info;     // const GameyeSessionInfo *
        public long player_count;       // int64_t
        public IntPtr players;          // const char *const *
        public UIntPtr players_len;
        public IntPtr text;             // use text_len
        public UIntPtr text_len;
        public IntPtr locations;        // const GameyeLocation *
        public UIntPtr locations_len;
        public byte tag_exists;         // uint8_t
        public uint stop_outcome;       // GameyeStopOutcome
        public ulong bytes_written;     // uint64_t
        public uint attempts;           // uint32_t: attempts under the retry policy, 0 when nothing was sent
    }
}
