// Sample: starts a Gameye session when the scene starts, logs where players
// connect, and stops the session when the object is destroyed. Add it to any
// GameObject, set the token (better: load it from a server-side config), the
// location and the image in the Inspector.
//
// C# 7.3 (Unity 2019.4): no `using var`, no nullable reference types.
using System;
using GameyeSdk;
using UnityEngine;

public class GameyeSessionStarter : GameyeBehaviour
{
    [SerializeField] private string token = "";
    [SerializeField] private string baseUrl = "";
    [SerializeField] private string location = "europe";
    [SerializeField] private string image = "my-game";

    private string sessionId;

    private async void Start()
    {
        var config = new GameyeConfig { Token = token };
        if (!string.IsNullOrEmpty(baseUrl)) config.BaseUrl = baseUrl;
        Initialize(config);
        try
        {
            Session session = await Client.CreateSessionAsync(location, image);
            sessionId = session.Id;
            foreach (Port port in session.Ports)
            {
                Debug.Log("Gameye session " + session.Id + ": " + port.Protocol + " " + session.Host + ":" + port.Host);
            }
        }
        catch (GameyeException e)
        {
            Debug.LogWarning("Gameye: " + e.Status + ": " + e.Message);
        }
    }

    protected override void OnDestroy()
    {
        if (sessionId != null && Client != null)
        {
            try
            {
                Client.StopSession(sessionId, true);
            }
            catch (Exception e)
            {
                Debug.LogWarning("Gameye: stopping " + sessionId + ": " + e.Message);
            }
        }
        base.OnDestroy();
    }
}
