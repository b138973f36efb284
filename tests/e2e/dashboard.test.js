// The operators' dashboard in Debian's Chromium (playwright-core): sign-in with the admin key, the live counters moving as
// notifications are published and pushed, a hub connection showing up, and the user lookup. Screenshots go to
// tests/e2e/output/ (or $E2E_OUTPUT).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./support/browser.js";
import { startServer, newUserId, adminKey } from "./support/server.js";
import { startPushService } from "./support/push-service.js";
import { connectDevice, notification } from "./support/devices.js";

const output = process.env.E2E_OUTPUT ?? join(dirname(fileURLToPath(import.meta.url)), "output");
let server;
let pushService;
let browser;

before(async () => {
  browser = await launchChromium(); // first: without Chromium nothing else is worth starting
  mkdirSync(output, { recursive: true });
  pushService = await startPushService();
  server = await startServer({ "Notifications:Push:WebPush:AllowInsecureEndpoints": "true" });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await pushService?.close();
});

async function openDashboard() {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  const errors = [];
  page.on("pageerror", error => errors.push(error.message));
  await page.goto(`${server.url}/dashboard`);
  await page.locator("#login-form").waitFor();
  return { page, errors };
}

const number = async locator => Number((await locator.textContent()).replaceAll(",", ""));

test("a wrong admin key is refused and nothing is shown", async () => {
  const { page, errors } = await openDashboard();
  await page.fill("#admin-key", "not-the-admin-key");
  await page.click("#login-form button[type=submit]");
  await page.locator("#login-error", { hasText: "refused" }).waitFor();
  assert.equal(await page.locator("#dashboard").isVisible(), false);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "a refused key is not kept");
  await page.screenshot({ path: join(output, "dashboard-refused.png") });
  assert.deepEqual(errors, []);
});

test("signed in: counters follow publishes and pushes, a device shows as a connection, and the user lookup explains the user", async () => {
  const { page, errors } = await openDashboard();
  await page.fill("#admin-key", adminKey);
  await page.click("#login-form button[type=submit]");
  await page.locator("#status.live").waitFor();
  assert.ok(!page.url().includes(adminKey), "the key is never in the URL");
  assert.equal(await page.evaluate(() => Object.values({ ...sessionStorage }).includes("e2e-admin-key-0123456789abcdef")), true);
  await page.locator("#members tbody tr").first().waitFor();
  assert.match(await page.locator("#members tbody tr").first().textContent(), /active/);
  assert.match(await page.locator("#storage").textContent(), /^healthy/);

  const app = await server.createApp();
  await app.configurePush("webpush", { subject: "mailto:ops@example.com" });
  const user = newUserId();
  const working = pushService.newBrowser();
  const gone = pushService.newBrowser();
  for (const browserPush of [working, gone]) {
    await server.call("POST", `/v1/users/${user}/subscriptions`, {
      token: app.token, json: { platform: "webpush", webPush: { endpoint: browserPush.endpoint, keys: browserPush.keys } }, expect: 201 });
  }
  const device = await connectDevice(server, await app.userToken(user));
  await page.locator("#connections", { hasText: /^1$/ }).waitFor({ timeout: 10_000 });

  const before = await number(page.locator("#total-publishes"));
  pushService.answer([201, {}], [410, {}]); // the first two sends: one delivered, one "subscription gone"
  for (let i = 0; i < 5; i++) {
    await app.publish(user, notification(`dashboard ${i}`));
  }

  await page.waitForFunction(expected => Number(document.getElementById("total-publishes").textContent.replaceAll(",", "")) >= expected,
    before + 5, { timeout: 10_000 });
  await page.locator("#push tbody tr", { hasText: "delivered" }).waitFor({ timeout: 10_000 });
  await page.locator("#push tbody tr", { hasText: "invalid" }).waitFor({ timeout: 10_000 });
  assert.ok(await number(page.locator("#rate-publishes")) > 0, "the publish rate moved");
  await page.screenshot({ path: join(output, "dashboard-cluster.png"), fullPage: true });

  await page.fill("#lookup-app", app.appId);
  await page.fill("#lookup-user", user);
  await page.click("#lookup-form button[type=submit]");
  await page.locator("#lookup-result").waitFor();
  assert.equal(await page.locator("#user-sequence").textContent(), "5");
  assert.equal(await page.locator("#user-total").textContent(), "5");
  assert.equal(await page.locator("#user-connections").textContent(), "1 (on " + (await server.call("GET", "/v1/admin/cluster", { token: adminKey })).body.node + ")");
  assert.deepEqual((await page.locator("#user-subscriptions tbody tr td:nth-child(3)").allTextContents()).sort(), ["active", "invalid"]);
  const failed = page.locator("#user-deliveries tbody tr", { hasText: "failed" }).first();
  await failed.waitFor();
  assert.notEqual((await failed.locator("td.error").textContent()).trim(), "", "a failed delivery shows its error");
  await page.screenshot({ path: join(output, "dashboard-user.png"), fullPage: true });

  // An unknown app is a clear error, not an empty user.
  await page.fill("#lookup-app", "no-such-app");
  await page.click("#lookup-form button[type=submit]");
  await page.locator("#lookup-error", { hasText: "no app" }).waitFor();

  await device.connection.stop();
  assert.deepEqual(errors, []);
});
