// Attributes that Unity's AOT toolchain (IL2CPP and the managed code
// stripper) looks for by name, defined here so this code also builds outside
// Unity (mono's mcs, plain .NET).

using System;

#if !UNITY_5_3_OR_NEWER
namespace AOT
{
    /// <summary>
    /// Marks a static method that native code calls through a function pointer.
    /// IL2CPP cannot call instance delegates from native code: every callback
    /// handed to libgameye is a static method carrying this attribute, and it
    /// reaches managed state through a GCHandle passed as userdata. Inside Unity
    /// the engine's own AOT.MonoPInvokeCallbackAttribute is used instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        /// <summary>The delegate type the method is passed as.</summary>
        public MonoPInvokeCallbackAttribute(Type type) { DelegateType = type; }

        /// <summary>The delegate type the method is passed as.</summary>
        public Type DelegateType { get; private set; }
    }
}
#endif

namespace GameyeSdk.Native
{
    /// <summary>
    /// Keeps a member from being stripped: Unity's linker honours any attribute
    /// named PreserveAttribute. The SafeHandle constructors need it because only
    /// the P/Invoke marshaller calls them. (Shipping link.xml also preserves the
    /// whole assembly.)
    /// </summary>
    [AttributeUsage(AttributeTargets.All, Inherited = false)]
    internal sealed class PreserveAttribute : Attribute
    {
    }
}
