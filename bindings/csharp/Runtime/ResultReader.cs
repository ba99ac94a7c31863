// Copies what a GameyeResult holds into managed objects. Every read happens
// while the ResultHandle is alive; nothing read here outlives it as a pointer.

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using GameyeSdk.Native;

namespace GameyeSdk
{
    internal static class ResultReader
    {
        private static readonly int PortSize = Marshal.SizeOf<GameyePort>();
        private static readonly int ViolationSize = Marshal.SizeOf<GameyeViolation>();
        private static readonly int KeyValueSize = Marshal.SizeOf<GameyeKeyValue>();
        private static readonly int SessionInfoSize = Marshal.SizeOf<GameyeSessionInfo>();
        private static readonly int LocationSize = Marshal.SizeOf<GameyeLocation>();

        internal static int Count(UIntPtr len)
        {
            return checked((int)len.ToUInt64());
        }

        private static T At<T>(IntPtr array, int index, int size) where T : struct
        {
            return Marshal.PtrToStructure<T>(IntPtr.Add(array, index * size));
        }

        /// <summary>Takes ownership of <paramref name="handle"/>: converts it and frees it.</summary>
        internal static T Consume<T>(ResultHandle handle, Func<GameyeResult, T> convert)
        {
            using (handle)
            {
                GameyeResult r = handle.Read();
                if (r.status != (uint)GameyeStatus.Ok) throw Error(r).ToException();
                return convert(r);
            }
        }

        /// <summary>Like <see cref="Consume{T}"/>, reporting a failure instead of throwing it.</summary>
        internal static bool TryConsume<T>(ResultHandle handle, Func<GameyeResult, T> convert, out T value, out GameyeError error)
        {
            using (handle)
            {
                GameyeResult r = handle.Read();
                if (r.status != (uint)GameyeStatus.Ok)
                {
                    value = default(T);
                    error = Error(r);
                    return false;
                }
                value = convert(r);
                error = null;
                return true;
            }
        }

        internal static GameyeError Error(GameyeResult r)
        {
            var violations = new List<Violation>();
            for (int i = 0; i < Count(r.violations_len); i++)
            {
                GameyeViolation v = At<GameyeViolation>(r.violations, i, ViolationSize);
                violations.Add(new Violation(Utf8.Decode(v.field), Utf8.Decode(v.description)));
            }
            return new GameyeError
            {
                Status = (GameyeStatus)r.status,
                HttpStatus = r.http_status,
                Message = Utf8.Decode(r.message),
                Code = Utf8.Decode(r.code),
                Details = Utf8.Decode(r.details),
                Identifier = Utf8.Decode(r.identifier),
                Violations = violations.AsReadOnly(),
                Body = Utf8.Copy(r.body, Count(r.body_len)),
                Attempts = checked((int)r.attempts),
            };
        }

        /// <summary>A managed-side error in the same shape (e.g. a callback's exception).</summary>
        internal static GameyeError Error(GameyeStatus status, string message)
        {
            return new GameyeError
            {
                Status = status,
                Message = message,
                Violations = new List<Violation>().AsReadOnly(),
            };
        }

        private static List<Port> Ports(IntPtr ports, UIntPtr len)
        {
            var list = new List<Port>();
            for (int i = 0; i < Count(len); i++)
            {
                GameyePort p = At<GameyePort>(ports, i, PortSize);
                list.Add(new Port(Utf8.Decode(p.protocol), p.container, p.host));
            }
            return list;
        }

        internal static List<string> Strings(IntPtr array, UIntPtr len)
        {
            var list = new List<string>();
            for (int i = 0; i < Count(len); i++)
            {
                list.Add(Utf8.Decode(Marshal.ReadIntPtr(array, i * IntPtr.Size)));
            }
            return list;
        }

        internal static Session Session(GameyeResult r)
        {
            GameyeSession s = Marshal.PtrToStructure<GameyeSession>(r.session);
            return new Session(Utf8.Decode(s.id), Utf8.Decode(s.host), Ports(s.ports, s.ports_len));
        }

        private static SessionInfo Info(GameyeSessionInfo s)
        {
            var labels = new Dictionary<string, string>();
            for (int i = 0; i < Count(s.labels_len); i++)
            {
                GameyeKeyValue kv = At<GameyeKeyValue>(s.labels, i, KeyValueSize);
                labels[Utf8.Decode(kv.key)] = Utf8.Decode(kv.value);
            }
            return new SessionInfo
            {
                Id = Utf8.Decode(s.id),
                Image = Utf8.Decode(s.image),
                Tag = Utf8.Decode(s.tag),
                Location = Utf8.Decode(s.location),
                Host = Utf8.Decode(s.host),
                CreatedMs = s.created_ms,
                Ports = Ports(s.ports, s.ports_len).AsReadOnly(),
                Status = Utf8.Decode(s.status),
                State = (SessionState)s.state,
                Labels = labels,
                PlayerCount = s.player_count < 0 ? (long?)null : s.player_count,
                Joined = Strings(s.joined, s.joined_len).AsReadOnly(),
            };
        }

        internal static SessionInfo[] Sessions(GameyeResult r)
        {
            var list = new SessionInfo[Count(r.sessions_len)];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = Info(At<GameyeSessionInfo>(r.sessions, i, SessionInfoSize));
            }
            return list;
        }

        internal static SessionInfo SessionInfo(GameyeResult r)
        {
            return Info(Marshal.PtrToStructure<GameyeSessionInfo>(r.session_info));
        }

        internal static StopOutcome Stop(GameyeResult r)
        {
            return (StopOutcome)r.stop_outcome;
        }

        internal static PlayersResult Players(GameyeResult r)
        {
            return new PlayersResult(r.player_count, Strings(r.players, r.players_len));
        }

        internal static string Text(GameyeResult r)
        {
            return Utf8.Decode(r.text, r.text_len);
        }

        internal static Location[] Locations(GameyeResult r)
        {
            var list = new Location[Count(r.locations_len)];
            for (int i = 0; i < list.Length; i++)
            {
                GameyeLocation l = At<GameyeLocation>(r.locations, i, LocationSize);
                list[i] = new Location(Utf8.Decode(l.id), Strings(l.ips, l.ips_len));
            }
            return list;
        }

        internal static bool TagExists(GameyeResult r)
        {
            return r.tag_exists != 0;
        }

        internal static long BytesWritten(GameyeResult r)
        {
            return checked((long)r.bytes_written);
        }
    }
}
