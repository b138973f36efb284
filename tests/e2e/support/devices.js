// A device of a user: the official @microsoft/signalr client connected to the hub, recording every `change` it receives.
import * as signalR from "@microsoft/signalr";

export async function connectDevice(server, userToken, { transport = signalR.HttpTransportType.WebSockets } = {}) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${server.url}/hubs/notifications`, { accessTokenFactory: () => userToken, transport })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const device = { connection, changes: [], waiters: [] };
  connection.on("change", change => {
    device.changes.push(change);
    device.waiters = device.waiters.filter(waiter => !waiter());
  });
  await connection.start();
  // start() resolves at the handshake, before the server has registered the connection with the user's grain; the hub
  // handles invocations only after that, so the first one (the catch-up a real device makes anyway) is the barrier.
  device.initialSync = await connection.invoke("Sync", 0);
  return device;
}

/** Resolves when `predicate(device.changes)` holds; rejects after `ms`, showing what did arrive. */
export function waitForChanges(device, predicate, ms = 15000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate(device.changes)) {
        clearTimeout(timer);
        resolve(device.changes);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      device.waiters = device.waiters.filter(waiter => waiter !== check);
      reject(new Error(`timed out; received: ${JSON.stringify(device.changes.map(c => [c.sequence, c.kind]))}`));
    }, ms);
    if (!check()) device.waiters.push(check);
  });
}

/** Waits long enough for a stray message to arrive, so a test can say that nothing did. */
export const settle = (ms = 300) => new Promise(resolve => setTimeout(resolve, ms));

export const notification = (title, extra = {}) => ({ payload: { visualContent: { title, body: `${title} body` } }, ...extra });
