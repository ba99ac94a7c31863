// A tiny JSON writer for request and configuration bodies: objects, strings,
// numbers, booleans, string arrays and string maps. No external library.

using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GameyeSdk
{
    /// <summary>Builds one JSON object, property by property.</summary>
    public sealed class JsonObjectWriter
    {
        private readonly StringBuilder _sb = new StringBuilder("{");
        private bool _first = true;

        /// <summary>Appends <paramref name="value"/> as a JSON string literal, quotes included.</summary>
        public static void WriteString(StringBuilder sb, string value)
        {
            sb.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        // Control characters, and U+2028/2029 which some JSON
                        // readers (JavaScript) take as line ends.
                        if (c < 0x20 || c == '\u2028' || c == '\u2029')
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
            }
            sb.Append('"');
        }

        /// <summary>The escaped JSON string literal of <paramref name="value"/>.</summary>
        public static string Quote(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            WriteString(sb, value);
            return sb.ToString();
        }

        private void Key(string name)
        {
            if (!_first) _sb.Append(',');
            _first = false;
            WriteString(_sb, name);
            _sb.Append(':');
        }

        /// <summary>Adds a string property; a null value is left out.</summary>
        public JsonObjectWriter String(string name, string value)
        {
            if (value == null) return this;
            Key(name);
            WriteString(_sb, value);
            return this;
        }

        /// <summary>Adds a boolean property; null is left out.</summary>
        public JsonObjectWriter Bool(string name, bool? value)
        {
            if (!value.HasValue) return this;
            Key(name);
            _sb.Append(value.Value ? "true" : "false");
            return this;
        }

        /// <summary>Adds an integer property; null is left out.</summary>
        public JsonObjectWriter Number(string name, long? value)
        {
            if (!value.HasValue) return this;
            Key(name);
            _sb.Append(value.Value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        /// <summary>Adds a nested object already written as JSON (by another writer); null is left out.</summary>
        public JsonObjectWriter Object(string name, string json)
        {
            if (json == null) return this;
            Key(name);
            _sb.Append(json);
            return this;
        }

        /// <summary>Adds an array of strings; null is left out.</summary>
        public JsonObjectWriter Strings(string name, IEnumerable<string> values)
        {
            if (values == null) return this;
            Key(name);
            _sb.Append('[');
            bool first = true;
            foreach (string v in values)
            {
                if (!first) _sb.Append(',');
                first = false;
                if (v == null) _sb.Append("null"); else WriteString(_sb, v);
            }
            _sb.Append(']');
            return this;
        }

        /// <summary>Adds an object of string values; null is left out.</summary>
        public JsonObjectWriter Map(string name, IEnumerable<KeyValuePair<string, string>> values)
        {
            if (values == null) return this;
            Key(name);
            _sb.Append('{');
            bool first = true;
            foreach (KeyValuePair<string, string> kv in values)
            {
                if (!first) _sb.Append(',');
                first = false;
                WriteString(_sb, kv.Key);
                _sb.Append(':');
                if (kv.Value == null) _sb.Append("null"); else WriteString(_sb, kv.Value);
            }
            _sb.Append('}');
            return this;
        }

        /// <summary>The finished object.</summary>
        public override string ToString()
        {
            return _sb.ToString() + "}";
        }
    }
}
