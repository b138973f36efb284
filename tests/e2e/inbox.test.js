// The web inbox in Debian's Chromium, driven by playwright-core: two browser contexts (two devices) of one user.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchChromium } from "./support/browser.js";
import { startServer, newUserId } from "./support/server.js";
import { notification } from "./support/devices.js";

let server;
let app;
let browser;

before(async () => {
  browser = await launchChromium(); // first: without Chromium nothing else is worth starting
  server = await startServer();
  app = await server.createApp();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openInbox(token) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", error => errors.push(error.message));
  await page.goto(`${server.url}/inbox#token=${token}`);
  await page.locator("#status.live").waitFor();
  return { page, errors };
}

const item = (page, id) => page.locator(`li.notification[data-id="${id}"]`);

test("two devices: live arrival, read in one shows in the other, then dismiss and delete", async () => {
  const user = newUserId();
  const token = await app.userToken(user);
  const older = await app.publish(user, notification("Already there", { groupName: "news" }));
  const a = await openInbox(token);
  const b = await openInbox(token);

  // History on open, newest first, with unread styling and count.
  await item(b.page, older.id).waitFor();
  assert.equal(await b.page.locator("#unread-count").textContent(), "1");

  // A publish appears in both without a reload.
  const fresh = await app.publish(user, notification("Build finished", { payload: { visualContent: { title: "Build finished", body: "main is green" } } }));
  for (const { page } of [a, b]) {
    await item(page, fresh.id).waitFor();
    assert.deepEqual(await page.locator("li.notification .title").allTextContents(), ["Build finished", "Already there"]);
    assert.match(await item(page, fresh.id).getAttribute("class"), /\bunread\b/);
    await page.locator("#unread-count", { hasText: "2" }).waitFor();
  }

  // Read on device A: device B drops the unread styling and the count.
  await item(a.page, fresh.id).getByRole("button", { name: "Mark read" }).click();
  await b.page.locator(`li.notification[data-id="${fresh.id}"]:not(.unread)`).waitFor();
  await b.page.locator("#unread-count", { hasText: "1" }).waitFor();
  assert.equal((await server.call("GET", `/v1/me/notifications/${fresh.id}`, { token, expect: 200 })).body.readState, "read");

  // Dismiss on B shows on A; delete on A removes it from B.
  await item(b.page, older.id).getByRole("button", { name: "Dismiss" }).click();
  await a.page.locator(`li.notification.dismissed[data-id="${older.id}"]`).waitFor();
  await item(a.page, older.id).getByRole("button", { name: "Delete" }).click();
  await item(b.page, older.id).waitFor({ state: "detached" });

  // Mark unread, then "Mark all read" on B.
  await item(a.page, fresh.id).getByRole("button", { name: "Mark unread" }).click();
  await b.page.locator("#unread-count", { hasText: "1" }).waitFor();
  await b.page.getByRole("button", { name: "Mark all read" }).click();
  await a.page.locator("#unread-count").waitFor({ state: "hidden" });

  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.page.context().close();
  await b.page.context().close();
});

test("a bad token gets a clear message, not a broken page", async () => {
  const { page } = await (async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/inbox#token=not-a-token`);
    return { page };
  })();
  await page.locator("#error", { hasText: "token was refused" }).waitFor();
  await page.context().close();
});

test("the inbox is served from this host only: no CDN, a strict content security policy", async () => {
  const response = await fetch(`${server.url}/inbox/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-security-policy"), /default-src 'self'/);
  const html = await response.text();
  assert.doesNotMatch(html, /https?:\/\//);
  const client = await fetch(`${server.url}/inbox/lib/signalr.min.js`);
  assert.equal(client.status, 200);
  assert.match(await client.text(), /HubConnectionBuilder/);
});
