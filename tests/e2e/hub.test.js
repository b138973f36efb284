// Two devices of one user on the real hub, through the official SignalR client: "handled once, dismissed everywhere".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, newUserId } from "./support/server.js";
import { connectDevice, waitForChanges, settle, notification } from "./support/devices.js";

let server;
let app;
const open = [];

before(async () => {
  server = await startServer();
  app = await server.createApp();
});

after(async () => {
  await Promise.all(open.map(device => device.connection.stop()));
  await server?.stop();
});

async function device(userToken, options) {
  const connected = await connectDevice(server, userToken, options);
  open.push(connected);
  return connected;
}

const sequences = changes => changes.map(change => change.sequence);

test("a publish reaches every device of the user once, and a read on one reaches the other", async () => {
  const user = newUserId();
  const token = await app.userToken(user);
  const phone = await device(token);
  const laptop = await device(token);

  const published = await app.publish(user, notification("Hello"));
  for (const d of [phone, laptop]) {
    const [change] = await waitForChanges(d, changes => changes.length >= 1);
    assert.equal(change.kind, "created");
    assert.equal(change.notificationId, published.id);
    assert.equal(change.sequence, 1);
    assert.equal(change.notification.payload.visualContent.title, "Hello");
  }

  const read = await phone.connection.invoke("MarkRead", published.id);
  assert.equal(read.readState, "read");
  assert.equal(read.sequence, 2);

  const changes = await waitForChanges(laptop, changes => changes.length >= 2);
  assert.deepEqual(changes[1], {
    sequence: 2, kind: "updated", notificationId: published.id, occurredDateTime: changes[1].occurredDateTime,
    notification: read,
  });
  // The device that made the change is told too (its other tabs may care), and nobody gets anything twice.
  await waitForChanges(phone, changes => changes.length >= 2);
  await settle();
  assert.deepEqual(sequences(phone.changes), [1, 2]);
  assert.deepEqual(sequences(laptop.changes), [1, 2]);
});

test("dismiss, unread, mark-all-read (of a group, then all) and delete from one device arrive at the other in sequence order", async () => {
  const user = newUserId();
  const token = await app.userToken(user);
  const phone = await device(token);
  const laptop = await device(token);
  const a = await app.publish(user, notification("A", { groupName: "g" }));
  const b = await app.publish(user, notification("B", { groupName: "g" }));
  const c = await app.publish(user, notification("C"));

  const dismissed = await phone.connection.invoke("SetUserActionState", a.id, "dismissed");
  assert.equal(dismissed.userActionState, "dismissed");
  await phone.connection.invoke("MarkRead", c.id);
  const unread = await phone.connection.invoke("MarkUnread", c.id);
  assert.equal(unread.readState, "unread");
  assert.equal(await phone.connection.invoke("MarkAllRead", "g"), null);
  assert.equal(await phone.connection.invoke("Delete", b.id), null);

  const changes = await waitForChanges(laptop, changes => changes.length >= 9);
  assert.deepEqual(sequences(changes), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(changes.slice(3).map(change => [change.kind, change.notificationId]), [
    ["updated", a.id], ["updated", c.id], ["updated", c.id], ["updated", a.id], ["updated", b.id], ["deleted", b.id],
  ]);
  assert.equal(changes[7].notification.readState, "read");
  assert.equal(changes[8].notification, undefined);

  let list = await server.call("GET", "/v1/me/notifications", { token, expect: 200 });
  assert.deepEqual(list.body.value.map(n => [n.id, n.readState]), [[c.id, "unread"], [a.id, "read"]]);

  // With no group, every unread notification.
  assert.equal(await laptop.connection.invoke("MarkAllRead"), null);
  const [last] = (await waitForChanges(phone, changes => changes.length >= 10)).slice(9);
  assert.deepEqual([last.sequence, last.notificationId, last.notification.readState], [10, c.id, "read"]);
  list = await server.call("GET", "/v1/me/notifications?readState=unread", { token, expect: 200 });
  assert.deepEqual(list.body.value, []);
});

test("an offline device catches up with Sync: what it missed, then live, no gap and no live duplicate", async () => {
  const user = newUserId();
  const token = await app.userToken(user);
  const phone = await device(token);
  let tablet = await device(token);

  const first = await app.publish(user, notification("one"));
  await waitForChanges(tablet, changes => changes.length >= 1);
  const lastSeen = tablet.changes.at(-1).sequence;
  await tablet.connection.stop();

  // While the tablet is away: two publishes and a read from the phone.
  await app.publish(user, notification("two"));
  await app.publish(user, notification("three"));
  await phone.connection.invoke("MarkRead", first.id);

  tablet = await device(token);
  // Publishes keep arriving while it catches up: they come live (once), and Sync may hold them too, as GET /changes would.
  const racing = app.publish(user, notification("four"));
  const caughtUp = await tablet.connection.invoke("Sync", lastSeen);
  await racing;
  await app.publish(user, notification("five"));
  await waitForChanges(tablet, changes => changes.some(change => change.notification?.payload.visualContent.title === "five"));

  assert.equal(caughtUp.hasMore, false);
  const live = tablet.changes.map(change => change.sequence);
  assert.deepEqual(live, [...new Set(live)].sort((x, y) => x - y), "the live stream: each change once, in order");
  const all = [...new Set([...caughtUp.value, ...tablet.changes].map(change => change.sequence))].sort((x, y) => x - y);
  assert.deepEqual(all, [2, 3, 4, 5, 6], "Sync plus live: every missed or later change, no gap");
  assert.equal(caughtUp.nextSince, caughtUp.value.at(-1)?.sequence ?? lastSeen);
  assert.deepEqual(caughtUp.value.slice(0, 3).map(change => change.kind), ["created", "created", "updated"]);

  // The same catch-up through HTTP agrees with the hub.
  const feed = await server.call("GET", `/v1/me/changes?since=${lastSeen}`, { token, expect: 200 });
  assert.deepEqual(feed.body.value.map(change => change.sequence), [2, 3, 4, 5, 6]);
});

test("another user of the app and a user of another app receive nothing", async () => {
  const user = newUserId();
  const target = await device(await app.userToken(user));
  const neighbour = await device(await app.userToken(newUserId()));
  const otherApp = await server.createApp();
  const sameIdElsewhere = await device(await otherApp.userToken(user));

  await app.publish(user, notification("private"));
  await waitForChanges(target, changes => changes.length === 1);
  await settle(500);
  assert.deepEqual(neighbour.changes, []);
  assert.deepEqual(sameIdElsewhere.changes, []);
});

test("hub errors are HubExceptions a client can act on", async () => {
  const token = await app.userToken(newUserId());
  const phone = await device(token);
  await assert.rejects(phone.connection.invoke("MarkRead", "no-such-id"), error => error.message.startsWith("not_found: "));
  await assert.rejects(phone.connection.invoke("Delete", "no-such-id"), error => error.message.startsWith("not_found: "));
  await assert.rejects(phone.connection.invoke("SetUserActionState", "x", "bogus"), error => error.message.startsWith("invalid_argument: "));
  await assert.rejects(phone.connection.invoke("Sync", -1), error => error.message.startsWith("invalid_argument: "));
});

test("the hub refuses app tokens, bad tokens and no token", async () => {
  const negotiate = token => server.call("POST", "/hubs/notifications/negotiate?negotiateVersion=1", { token });
  assert.equal((await negotiate(undefined)).status, 401);
  assert.equal((await negotiate("not-a-jwt")).status, 401);
  assert.equal((await negotiate(app.token)).status, 403);
  assert.equal((await negotiate(await app.userToken(newUserId()))).status, 200);
});
