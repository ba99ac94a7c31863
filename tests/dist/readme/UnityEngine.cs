// Stand-ins for the parts of UnityEngine the README's C# samples and the UPM
// package's sample use, so they compile with mcs outside Unity
// (tests/dist/readme_samples.py, tests/dist/run.sh). Compiled together with
// bindings/csharp/Runtime and -define:UNITY_5_3_OR_NEWER.
using System;

namespace UnityEngine
{
    public class Object { }
    public class Component : Object { }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }

    public static class Debug
    {
        public static void Log(object message) { Console.WriteLine(message); }
        public static void LogWarning(object message) { Console.WriteLine(message); }
        public static void LogError(object message) { Console.Error.WriteLine(message); }
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute { }
}

namespace AOT
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type) { }
    }
}
