// A Web Push service on loopback, as a browser vendor runs one (RFC 8030): it takes POSTs to subscription endpoints,
// answers with a scripted status, and decrypts what it got with the subscription's keys using http_ece — an
// implementation nobody here wrote — while checking the VAPID authorization (RFC 8292).
import { createServer } from "node:http";
import { createECDH, randomBytes, createPublicKey, verify } from "node:crypto";
import ece from "http_ece";

export async function startPushService() {
  const received = [];
  const script = [];
  const waiters = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", chunk => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url, method: request.method, headers: request.headers, body: Buffer.concat(chunks) });
      const [status, headers] = script.shift() ?? [201, {}];
      response.writeHead(status, headers).end();
      waiters.splice(0).forEach(wake => wake());
    });
  });
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    received,
    /** The next requests get these answers ([status, headers]); later ones get 201. */
    answer: (...answers) => script.push(...answers),
    async waitFor(count, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} push requests, got ${received.length}`);
        await new Promise(resolve => { waiters.push(resolve); setTimeout(resolve, 200); });
      }
      return received;
    },
    /** A browser's subscription: its endpoint here and its keys (RFC 8291). */
    newBrowser() {
      const key = createECDH("prime256v1");
      key.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(8).toString("hex");
      return {
        endpoint: `${base}/push/${id}`,
        path: `/push/${id}`,
        keys: { p256dh: key.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
        decrypt: body => JSON.parse(ece.decrypt(body, { version: "aes128gcm", privateKey: key, authSecret: auth }).toString("utf8")),
      };
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): the key, the ES256 signature, aud, exp and sub. */
export function verifyVapid(authorization, expectedKey, audience) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a vapid authorization: ${authorization}`);
  const [, jwt, k] = match;
  if (k !== expectedKey) throw new Error("k is not the app's VAPID public key");
  const [header, claims, signature] = jwt.split(".");
  const point = Buffer.from(k, "base64url");
  const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, format: "jwk" });
  const valid = verify("sha256", Buffer.from(`${header}.${claims}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!valid) throw new Error("the VAPID JWT signature does not verify");
  const parsedHeader = JSON.parse(Buffer.from(header, "base64url"));
  const parsedClaims = JSON.parse(Buffer.from(claims, "base64url"));
  if (parsedHeader.alg !== "ES256") throw new Error(`alg ${parsedHeader.alg}`);
  if (parsedClaims.aud !== audience) throw new Error(`aud ${parsedClaims.aud} is not ${audience}`);
  const now = Date.now() / 1000;
  if (!(parsedClaims.exp > now && parsedClaims.exp <= now + 24 * 3600)) throw new Error(`exp ${parsedClaims.exp} is not within 24 h`);
  return parsedClaims;
}
