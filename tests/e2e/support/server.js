// Starts the real server (the build test.sh just made) as a child process on a free loopback port and a throwaway data
// directory, and offers the few HTTP calls the tests need. Nothing here imitates the server: it is driven over HTTP.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const configuration = process.env.CONFIGURATION ?? "Debug";
const serverDll = join(repo, "src", "OrleansNotifications.Server", "bin", configuration, "net10.0", "OrleansNotifications.Server.dll");
export const adminKey = "e2e-admin-key-0123456789abcdef";

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(settings = {}) {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} is missing: build the solution first (test.sh does).`);
  }

  const server = new Server(await freePort(), mkdtempSync(join(tmpdir(), "notifications-e2e-")), settings);
  await server.start();
  return server;
}

class Server {
  constructor(port, data, settings) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.data = data;
    this.settings = settings;
    this.output = "";
  }

  log() {
    return this.output;
  }

  /** Starts the process (again, after kill(): same port, same data directory) and waits until it is ready. */
  async start() {
    const args = [serverDll, "--urls", this.url, "--Notifications:DataDirectory", this.data,
      "--Notifications:AdminKey", adminKey, "--Notifications:Storage:Synchronous", "NORMAL", "--Logging:LogLevel:Default", "Warning"];
    for (const [key, value] of Object.entries(this.settings)) {
      args.push(`--${key}`, String(value));
    }

    const child = spawn("dotnet", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout.on("data", chunk => { this.output += chunk; });
    child.stderr.on("data", chunk => { this.output += chunk; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`The server exited with ${child.exitCode}:\n${this.output}`);
      }

      try {
        if ((await fetch(`${this.url}/health/ready`)).ok) {
          return;
        }
      } catch {
        // not listening yet
      }

      await new Promise(resolve => setTimeout(resolve, 100));
    }

    await this.stop();
    throw new Error(`The server did not become ready in 30 s:\n${this.output}`);
  }

  /** SIGKILL: no shutdown code runs, as in a crash. */
  async kill() {
    const exited = new Promise(resolve => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }

  async stop() {
    if (this.child.exitCode === null) {
      const exited = new Promise(resolve => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }

    rmSync(this.data, { recursive: true, force: true });
  }

  async call(method, path, { token, json, form, expect } = {}) {
    const headers = {};
    let body;
    if (token) headers.authorization = `Bearer ${token}`;
    if (json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(json);
    }
    if (form !== undefined) body = new URLSearchParams(form);
    const response = await fetch(this.url + path, { method, headers, body });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (expect !== undefined && response.status !== expect) {
      throw new Error(`${method} ${path}: expected ${expect}, got ${response.status} ${text}`);
    }

    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Creates an app and returns a handle that publishes and issues user tokens for it. */
  async createApp() {
    const appId = `app-${Math.random().toString(36).slice(2, 12)}`;
    const created = (await this.call("POST", "/v1/admin/apps", { token: adminKey, json: { appId }, expect: 201 })).body;
    const token = (await this.call("POST", "/v1/oauth2/token", {
      form: { grant_type: "client_credentials", client_id: created.clientId, client_secret: created.clientSecret }, expect: 200,
    })).body.access_token;
    return new App(this, appId, token, created.vapidPublicKey);
  }
}

class App {
  constructor(server, appId, token, vapidPublicKey) {
    this.server = server;
    this.appId = appId;
    this.token = token;
    this.vapidPublicKey = vapidPublicKey;
  }

  /** Sets the app's push settings through the admin API (platform: fcm, apns or webpush). */
  async configurePush(platform, settings) {
    return (await this.server.call("PUT", `/v1/admin/apps/${this.appId}/push/${platform}`, { token: adminKey, json: settings, expect: 200 })).body;
  }

  async userToken(userId) {
    return (await this.server.call("POST", `/v1/users/${encodeURIComponent(userId)}/tokens`, { token: this.token, expect: 201 })).body.token;
  }

  async publish(userId, notification) {
    const response = await this.server.call("POST", `/v1/users/${encodeURIComponent(userId)}/notifications`,
      { token: this.token, json: notification });
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`publish: ${response.status} ${JSON.stringify(response.body)}`);
    }

    return response.body;
  }
}

export function newUserId() {
  return `u-${Math.random().toString(36).slice(2, 12)}`;
}
