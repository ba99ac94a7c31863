// Unity only: a component that owns a GameyeClient for as long as it lives,
// drives its *Async operations from the main loop, and disposes it on destroy.

#if UNITY_5_3_OR_NEWER
using UnityEngine;

namespace GameyeSdk
{
    /// <summary>
    /// Owns a <see cref="GameyeClient"/>: calls <see cref="GameyeClient.Update"/>
    /// every frame (so tasks from the *Async calls complete on the main thread)
    /// and disposes the client in OnDestroy. Call <see cref="Initialize"/> once,
    /// e.g. from the Awake of the script that uses it. Subclass it or use it as is.
    /// </summary>
    public class GameyeBehaviour : MonoBehaviour
    {
        /// <summary>The client; null until <see cref="Initialize"/>.</summary>
        public GameyeClient Client { get; private set; }

        /// <summary>Creates the client. Throws GameyeException for a bad configuration.</summary>
        public GameyeClient Initialize(GameyeConfig config)
        {
            if (Client != null) Client.Dispose();
            Client = new GameyeClient(config);
            return Client;
        }

        /// <summary>Completes finished operations, on the main thread.</summary>
        protected virtual void Update()
        {
            if (Client != null) Client.Update();
        }

        /// <summary>Disposes the client (pending tasks fail with ObjectDisposedException).</summary>
        protected virtual void OnDestroy()
        {
            if (Client != null)
            {
                Client.Dispose();
                Client = null;
            }
        }
    }
}
#endif
