// Keep-alive with the official SignalR client: the server's paced pings keep an idle client within its server timeout.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { startServer, newUserId } from "./support/server.js";

const servers = [];
after(async () => { await Promise.all(servers.map(server => server.stop())); });

/** An idle official client that gives up on the server after 3 s of silence; resolves with whether it is still connected after 7 s. */
async function idleClientSurvives(settings) {
  const server = await startServer(settings);
  servers.push(server);
  const app = await server.createApp();
  const token = await app.userToken(newUserId());
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${server.url}/hubs/notifications`, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None)
    .build();
  connection.serverTimeoutInMilliseconds = 3000;
  connection.keepAliveIntervalInMilliseconds = 1000;
  let closed = false;
  connection.onclose(() => { closed = true; });
  await connection.start();
  await new Promise(resolve => setTimeout(resolve, 7000));
  const survived = !closed && connection.state === signalR.HubConnectionState.Connected;
  await connection.stop();
  return survived;
}

test("an idle official client is kept alive by the server's pings, and times out without them", async () => {
  assert.equal(await idleClientSurvives({ "Notifications:HubKeepAliveInterval": "00:00:01" }), true,
    "pinged every second, the client stayed connected");
  // The control: at the default 15 s interval no ping comes within the client's 3 s, so it gives up. Without this, the
  // first assertion could pass for a reason that has nothing to do with pings.
  assert.equal(await idleClientSurvives({}), false, "unpinged, the client timed out");
});
