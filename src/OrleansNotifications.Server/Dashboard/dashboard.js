// The operators' dashboard: signs in with the admin key (kept in sessionStorage, sent as a bearer token, never put in a
// URL), polls GET /v1/admin/cluster every 2 s, and looks users up with GET /v1/admin/apps/{appId}/users/{userId}.
// Everything is written with textContent: ids, addresses and errors come from outside and must never become markup.
"use strict";

const keyName = "orleans-notifications-admin-key";
const $ = id => document.getElementById(id);
let timer;

async function admin(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${sessionStorage.getItem(keyName)}` }, cache: "no-store" });
  if (response.status === 401 || response.status === 403) {
    signOut("The admin key was refused.");
    throw new Error("refused");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || body.title || `HTTP ${response.status}`);
  return body;
}

function signOut(message) {
  clearInterval(timer);
  sessionStorage.removeItem(keyName);
  $("dashboard").hidden = true;
  $("login-form").hidden = false;
  $("login-error").textContent = message || "";
  $("login-error").hidden = !message;
  setStatus("signed out");
}

function setStatus(text, kind) {
  $("status").textContent = text;
  $("status").className = `status ${kind || ""}`;
}

const number = (value, digits = 1) => value == null ? "–" : Number(value).toLocaleString("en", { maximumFractionDigits: digits });
const ms = p => p ? `${number(p.p50, 2)} / ${number(p.p99, 2)}` : "–";
const megabytes = bytes => `${number(bytes / 1048576, 0)} MB`;
const age = seconds => seconds < 60 ? `${number(seconds, 1)} s ago` : `${number(seconds / 60, 0)} min ago`;
const when = iso => iso ? new Date(iso).toLocaleString() : "–";

/** Element-wise sum of series of different lengths, aligned on their newest values. */
function sumSeries(seriesList, combine = (a, b) => a + b) {
  const length = Math.max(0, ...seriesList.map(s => s.length));
  return Array.from({ length }, (_, i) => seriesList.reduce((total, s) => {
    const value = s[s.length - length + i];
    return value == null ? total : total == null ? value : combine(total, value);
  }, null));
}

function sparkline(id, values) {
  const svg = $(id);
  svg.replaceChildren();
  const points = values.map((v, i) => [i, v]).filter(([, v]) => v != null);
  if (points.length < 2) return;
  const max = Math.max(...points.map(([, v]) => v), 1e-9);
  const polyline = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  polyline.setAttribute("points", points.map(([i, v]) => `${(i / Math.max(values.length - 1, 1)) * 150},${30 - (v / max) * 28 - 1}`).join(" "));
  svg.append(polyline);
}

function row(cells, className) {
  const tr = document.createElement("tr");
  if (className) tr.className = className;
  for (const cell of cells) {
    const td = document.createElement("td");
    const [text, cls] = Array.isArray(cell) ? cell : [cell];
    td.textContent = text ?? "–";
    if (cls) td.className = cls;
    tr.append(td);
  }
  return tr;
}

function render(cluster) {
  $("node-name").textContent = `· answered by ${cluster.node}`;
  const activities = cluster.nodes.map(n => n.activity).filter(Boolean);
  $("rate-requests").textContent = number(cluster.rates.requests);
  $("rate-publishes").textContent = number(cluster.rates.publishes);
  $("rate-push-delivered").textContent = number(cluster.rates.pushDelivered);
  $("rate-push-failed").textContent = number(cluster.rates.pushFailed);
  $("connections").textContent = number(cluster.connections, 0);
  $("activations").textContent = number(cluster.activations, 0);
  $("total-publishes").textContent = number(activities.reduce((n, a) => n + a.totals.publishes, 0), 0);
  const p99s = activities.map(a => a.latency.publish?.p99).filter(v => v != null);
  $("publish-p99").textContent = p99s.length ? number(Math.max(...p99s), 2) : "–";
  $("pending").textContent = cluster.pendingDeliveries ? `${number(cluster.pendingDeliveries.waiting, 0)} / ${number(cluster.pendingDeliveries.retrying, 0)}` : "–";
  $("storage").textContent = `${cluster.storage.status} (${number(cluster.storage.durationMs, 1)} ms)`;

  const history = key => sumSeries(activities.map(a => a.history[key]));
  sparkline("spark-requests", history("requests"));
  sparkline("spark-publishes", history("publishes"));
  sparkline("spark-push-delivered", history("pushDelivered"));
  sparkline("spark-push-failed", history("pushFailed"));
  sparkline("spark-connections", history("connections"));
  sparkline("spark-publish-p99", sumSeries(activities.map(a => a.history.publishP99), Math.max));

  $("members").tBodies[0].replaceChildren(...cluster.nodes.map(n => row([
    n.name, n.error ? [`${n.status} (${n.error})`, "failed"] : n.status, age(n.heartbeatAgeSeconds), when(n.startedDateTime),
    n.activationsByType?.user ?? (n.activity ? 0 : null), n.activationsByType?.endpoint ?? (n.activity ? 0 : null),
    n.activity?.connections, number(n.activity?.rates.requests), number(n.activity?.rates.publishes),
    ms(n.activity?.latency.publish), ms(n.activity?.latency.request), n.activity ? megabytes(n.activity.memoryBytes) : null,
  ], n.status === "dead" ? "dead" : "")));

  const push = cluster.rates.push;
  $("push").tBodies[0].replaceChildren(...push.map(p => row([p.provider, [p.outcome, p.outcome], number(p.perSecond, 2), number(p.total, 0)])));
  $("push-empty").hidden = push.length > 0;
}

async function refresh() {
  try {
    render(await admin("/v1/admin/cluster"));
    $("error").hidden = true;
    setStatus("live", "live");
  } catch (error) {
    if (error.message === "refused") return;
    $("error").textContent = `Could not read the cluster: ${error.message}`;
    $("error").hidden = false;
    setStatus("trouble", "trouble");
  }
}

async function lookUp(event) {
  event.preventDefault();
  const app = $("lookup-app").value.trim();
  const user = $("lookup-user").value.trim();
  try {
    const found = await admin(`/v1/admin/apps/${encodeURIComponent(app)}/users/${encodeURIComponent(user)}`);
    $("user-node").textContent = found.grain.node;
    $("user-sequence").textContent = found.grain.sequence;
    $("user-connections").textContent = found.grain.liveConnections +
      (found.grain.connectionNodes.length ? ` (on ${found.grain.connectionNodes.join(", ")})` : "");
    $("user-total").textContent = found.notifications.total;
    $("user-read").textContent = `${found.notifications.unread} / ${found.notifications.read}`;
    $("user-actions").textContent = `${found.notifications.dismissed} / ${found.notifications.activated} / ${found.notifications.snoozed}`;
    $("user-subscriptions").tBodies[0].replaceChildren(...found.subscriptions.map(s =>
      row([s.id, s.platformType, [s.status, s.status], s.deviceId, when(s.expirationDateTime)])));
    $("user-deliveries").tBodies[0].replaceChildren(...found.deliveries.map(d =>
      row([d.sequence, `${d.kind} (${d.change})`, d.platformType, [d.status, d.status], d.attempts, when(d.lastAttemptDateTime), [d.lastError ?? "", "error"]])));
    $("lookup-result").hidden = false;
    $("lookup-error").hidden = true;
  } catch (error) {
    if (error.message === "refused") return;
    $("lookup-result").hidden = true;
    $("lookup-error").textContent = error.message;
    $("lookup-error").hidden = false;
  }
}

async function start() {
  $("login-form").hidden = true;
  $("dashboard").hidden = false;
  setStatus("connecting…");
  await refresh();
  clearInterval(timer);
  if (sessionStorage.getItem(keyName)) timer = setInterval(refresh, 2000);
}

$("login-form").addEventListener("submit", event => {
  event.preventDefault();
  sessionStorage.setItem(keyName, $("admin-key").value.trim());
  $("admin-key").value = "";
  start();
});
$("sign-out").addEventListener("click", () => signOut());
$("lookup-form").addEventListener("submit", lookUp);

if (sessionStorage.getItem(keyName)) start(); else signOut();
