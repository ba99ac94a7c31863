// UTF-8 in both directions, independent of the platform's default encoding.
// (Marshal.PtrToStringAnsi is the system code page on Windows, not UTF-8, and
// the default string marshalling is not UTF-8 everywhere either.)

using System;
using System.Runtime.InteropServices;
using System.Text;

namespace GameyeSdk.Native
{
    /// <summary>UTF-8 helpers for strings crossing the C ABI.</summary>
    public static class Utf8
    {
        // Invalid bytes decode to U+FFFD instead of throwing (a response body
        // need not be UTF-8); lone surrogates encode to U+FFFD.
        private static readonly UTF8Encoding Encoding = new UTF8Encoding(false, false);

        /// <summary>
        /// A NUL-terminated UTF-8 copy of <paramref name="value"/> to pass as a
        /// <c>const char *</c>; null gives null (a NULL pointer). A string with
        /// an embedded NUL is refused: C would silently cut it there.
        /// </summary>
        public static byte[] Encode(string value, string paramName = "value")
        {
            if (value == null) return null;
            if (value.IndexOf('\0') >= 0)
                throw new ArgumentException("must not contain a NUL character", paramName);
            int n = Encoding.GetByteCount(value);
            var bytes = new byte[n + 1];
            Encoding.GetBytes(value, 0, value.Length, bytes, 0);
            bytes[n] = 0;
            return bytes;
        }

        /// <summary>
        /// As <see cref="Encode"/> for an argument that must be given: null
        /// throws ArgumentNullException naming <paramref name="paramName"/>.
        /// </summary>
        internal static byte[] EncodeRequired(string value, string paramName)
        {
            if (value == null) throw new ArgumentNullException(paramName);
            return Encode(value, paramName);
        }

        /// <summary>Decodes a NUL-terminated UTF-8 string owned by the library; NULL gives null.</summary>
        public static string Decode(IntPtr ptr)
        {
            if (ptr == IntPtr.Zero) return null;
            int len = 0;
            while (Marshal.ReadByte(ptr, len) != 0) len++;
            return Decode(ptr, len);
        }

        /// <summary>Decodes <paramref name="len"/> UTF-8 bytes at <paramref name="ptr"/>; NULL gives null.</summary>
        public static string Decode(IntPtr ptr, UIntPtr len)
        {
            return Decode(ptr, checked((int)len.ToUInt64()));
        }

        /// <summary>Decodes <paramref name="len"/> UTF-8 bytes at <paramref name="ptr"/>; NULL gives null.</summary>
        public static string Decode(IntPtr ptr, int len)
        {
            if (ptr == IntPtr.Zero) return null;
            if (len == 0) return string.Empty;
            return Encoding.GetString(Copy(ptr, len));
        }

        /// <summary>Copies <paramref name="len"/> bytes out of library memory; NULL gives null.</summary>
        public static byte[] Copy(IntPtr ptr, int len)
        {
            if (ptr == IntPtr.Zero) return null;
            var bytes = new byte[len];
            if (len > 0) Marshal.Copy(ptr, bytes, 0, len);
            return bytes;
        }
    }

    /// <summary>
    /// An array of NUL-terminated UTF-8 strings for a <c>const char *const *</c>
    /// argument, in memory this binding allocates and frees (never the library's).
    /// </summary>
    public sealed class Utf8Array : IDisposable
    {
        private IntPtr[] _pointers;

        /// <summary>Copies <paramref name="values"/>; a null entry becomes a NULL pointer.</summary>
        public Utf8Array(string[] values, string paramName = "values")
        {
            _pointers = new IntPtr[values.Length];
            try
            {
                for (int i = 0; i < values.Length; i++)
                {
                    byte[] bytes = Utf8.Encode(values[i], paramName + "[" + i + "]");
                    if (bytes == null) continue;
                    _pointers[i] = Marshal.AllocHGlobal(bytes.Length);
                    Marshal.Copy(bytes, 0, _pointers[i], bytes.Length);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The pointers, to pass as the array argument.</summary>
        public IntPtr[] Pointers { get { return _pointers; } }

        /// <summary>The number of entries, to pass as the length argument.</summary>
        public UIntPtr Length { get { return (UIntPtr)(uint)_pointers.Length; } }

        /// <summary>Frees the copies.</summary>
        public void Dispose()
        {
            if (_pointers == null) return;
            foreach (IntPtr p in _pointers)
            {
                if (p != IntPtr.Zero) Marshal.FreeHGlobal(p);
            }
            _pointers = null;
        }
    }
}
