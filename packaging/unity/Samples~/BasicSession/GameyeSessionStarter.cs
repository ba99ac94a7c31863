// Sample: starts a Gameye session when the scene starts and logs where players
// connect; StopSession() (wire it to a button) stops it. Nothing here blocks
// the main thread: each call returns a Task at once, GameyeBehaviour.Update
// completes it on the main thread, and this script's Update looks at it.
// Add the script to any GameObject and set the token (better: load it from a
// server-side config), the location and the image in the Inspector.
//
// C# 7.3 (Unity 2019.4): no `using var`, no nullable reference types.
using System;
using System.Threading.Tasks;
using GameyeSdk;
using UnityEngine;

public class GameyeSessionStarter : GameyeBehaviour
{
    [SerializeField] private string token = "";
    [SerializeField] private string baseUrl = "";
    [SerializeField] private string location = "europe";
    [SerializeField] private string image = "my-game";
    // Ends the session on Gameye's side even if this object never stops it.
    [SerializeField] private string ttl = "1h";

    private Task<Session> creating;
    private Task<StopOutcome> stopping;
    private string sessionId;

    private void Start()
    {
        var config = new GameyeConfig { Token = token };
        if (!string.IsNullOrEmpty(baseUrl)) config.BaseUrl = baseUrl;
        Initialize(config);
        creating = Client.CreateSessionAsync(location, image, new SessionOptions { Ttl = ttl });
    }

    /// <summary>Stops the session without waiting; Update logs the outcome.</summary>
    public void StopSession()
    {
        if (sessionId != null && stopping == null && Client != null)
        {
            stopping = Client.StopSessionAsync(sessionId, true);
        }
    }

    protected override void Update()
    {
        base.Update();  // completes finished tasks, here on the main thread
        if (creating != null && creating.IsCompleted)
        {
            if (creating.Status == TaskStatus.RanToCompletion)
            {
                Session session = creating.Result;
                sessionId = session.Id;
                foreach (Port port in session.Ports)
                {
                    Debug.Log("Gameye session " + session.Id + ": " + port.Protocol + " " + session.Host + ":" + port.Host);
                }
            }
            else
            {
                Debug.LogWarning("Gameye: create: " + Describe(creating.Exception));
            }
            creating = null;
        }
        if (stopping != null && stopping.IsCompleted)
        {
            if (stopping.Status == TaskStatus.RanToCompletion)
            {
                Debug.Log("Gameye session " + sessionId + ": " + stopping.Result);
                sessionId = null;
            }
            else
            {
                Debug.LogWarning("Gameye: stop " + sessionId + ": " + Describe(stopping.Exception));
            }
            stopping = null;
        }
    }

    protected override void OnDestroy()
    {
        // No blocking stop here: disposing the client (base.OnDestroy) drops
        // pending calls, and the ttl ends a session left running.
        if (sessionId != null)
        {
            Debug.Log("Gameye session " + sessionId + " left running; its ttl (" + ttl + ") ends it");
        }
        base.OnDestroy();
    }

    private static string Describe(AggregateException e)
    {
        Exception inner = e != null ? e.GetBaseException() : null;
        GameyeException g = inner as GameyeException;
        if (g != null) return g.Status + ": " + g.Message;
        return inner != null ? inner.Message : "cancelled";
    }
}
