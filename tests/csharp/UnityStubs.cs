// Just enough of UnityEngine to compile bindings/csharp with Unity's defines
// (UNITY_5_3_OR_NEWER, UNITY_IOS) outside Unity: run.sh builds that variant so
// the Unity-only code paths compile, and the tests check its iOS library name.
using System;

namespace UnityEngine
{
    public class Object { }
    public class Component : Object { }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }
}

namespace AOT
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type) { }
    }
}
