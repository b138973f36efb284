// The web inbox: one user's notifications, kept live over the hub.
// State model: `notifications` holds what the server said last about each notification, and a change is applied only if it
// is newer (its sequence) than what is held, so the HTTP list, Sync catch-up and live changes may arrive in any order.
const signalR = window.signalR;
const $ = id => document.getElementById(id);

let token = null;
let connection = null;
let lastSequence = 0;          // the user's change sequence this page has caught up to (for Sync after a reconnect)
let nextLink = null;           // older history, when the first page was not all of it
const notifications = new Map(); // id -> notification resource
const removedAt = new Map();     // id -> sequence of its deletion/expiry, so a late list response cannot revive it

function api(path, options = {}) {
  return fetch(path, { ...options, headers: { authorization: `Bearer ${token}`, ...(options.headers ?? {}) } }).then(async response => {
    if (response.status === 401) {
      throw new Error("The token was refused (expired or not a user token). Use another token.");
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail ?? `${response.status} ${response.statusText}`);
    }
    return response.status === 204 ? null : response.json();
  });
}

function apply(change) {
  lastSequence = Math.max(lastSequence, change.sequence);
  if (change.kind === "deleted" || change.kind === "expired") {
    notifications.delete(change.notificationId);
    removedAt.set(change.notificationId, change.sequence);
  } else {
    keep(change.notification);
  }
}

function keep(notification) {
  const held = notifications.get(notification.id);
  if ((held && held.sequence >= notification.sequence) || (removedAt.get(notification.id) ?? -1) > notification.sequence) {
    return;
  }
  notifications.set(notification.id, notification);
}

// Merged, not replaced: live changes that overtook this response are newer and stay. `reset` forgets everything first
// (after an expired cursor, when what the page holds can no longer be brought up to date change by change).
async function loadHistory(reset = false) {
  const page = await api("/v1/me/notifications?top=200");
  if (reset) {
    notifications.clear();
    removedAt.clear();
  }
  page.value.forEach(keep);
  nextLink = page["@odata.nextLink"] ?? null;
  lastSequence = Math.max(lastSequence, ...page.value.map(n => n.sequence));
}

async function loadOlder() {
  const page = await api(new URL(nextLink).pathname + new URL(nextLink).search);
  page.value.forEach(keep);
  nextLink = page["@odata.nextLink"] ?? null;
  render();
}

// Everything after lastSequence, as GET /changes reads it. A change may come both live and here: apply() keeps only what is
// newer than what is held. A cursor older than the retained feed means: read the history again.
async function catchUp() {
  for (;;) {
    let page;
    try {
      page = await connection.invoke("Sync", lastSequence);
    } catch (error) {
      const expired = /cursor_expired.*at sequence (\d+)/.exec(String(error.message));
      if (expired) {
        await loadHistory(true);
        lastSequence = Math.max(lastSequence, Number(expired[1]));
        continue;
      }
      throw error;
    }
    page.value.forEach(apply);
    lastSequence = Math.max(lastSequence, page.nextSince);
    if (!page.hasMore) return;
  }
}

async function connect() {
  connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/notifications", { accessTokenFactory: () => token })
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.on("change", change => { apply(change); render(); });
  connection.onreconnecting(() => status("reconnecting…", "trouble"));
  connection.onreconnected(async () => { await catchUp(); render(); status("live", "live"); });
  connection.onclose(() => status("disconnected — reload to reconnect", "trouble"));
  await connection.start();
  // Registered now: history read from here on holds everything up to the registration, and later changes arrive live.
  await loadHistory();
  await catchUp();
  status("live", "live");
}

function status(text, kind = "") {
  $("status").textContent = text;
  $("status").className = `status ${kind}`;
}

function showError(error) {
  $("error").textContent = error.message ?? String(error);
  $("error").hidden = false;
}

async function act(action) {
  $("error").hidden = true;
  try {
    const updated = await action();
    if (updated) keep(updated);
    render();
  } catch (error) {
    showError(error);
  }
}

function render() {
  const list = $("notifications");
  const items = [...notifications.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  list.replaceChildren(...items.map(renderItem));
  const unread = items.filter(n => n.readState === "unread").length;
  $("unread-count").textContent = String(unread);
  $("unread-count").hidden = unread === 0;
  $("empty").hidden = items.length > 0;
  $("more").hidden = nextLink === null;
  document.title = unread > 0 ? `(${unread}) Inbox` : "Inbox";
}

function renderItem(n) {
  const item = $("item").content.firstElementChild.cloneNode(true);
  item.dataset.id = n.id;
  item.classList.toggle("unread", n.readState === "unread");
  item.classList.toggle("dismissed", n.userActionState === "dismissed");
  const visual = n.payload?.visualContent;
  item.querySelector(".title").textContent = visual?.title ?? "(data only)";
  item.querySelector(".body").textContent = visual?.body ?? "";
  if (n.payload?.rawContent) {
    const raw = item.querySelector(".raw");
    raw.textContent = n.payload.rawContent;
    raw.hidden = false;
  }
  const time = item.querySelector("time");
  time.dateTime = n.createdDateTime;
  time.textContent = new Date(n.createdDateTime).toLocaleString();
  if (n.groupName) Object.assign(item.querySelector(".group"), { textContent: n.groupName, hidden: false });
  if (n.userActionState !== "noInteraction") Object.assign(item.querySelector(".action"), { textContent: n.userActionState, hidden: false });

  const toggle = item.querySelector('[data-action="toggle-read"]');
  toggle.textContent = n.readState === "unread" ? "Mark read" : "Mark unread";
  toggle.onclick = () => act(() => connection.invoke(n.readState === "unread" ? "MarkRead" : "MarkUnread", n.id));
  const dismiss = item.querySelector('[data-action="dismiss"]');
  dismiss.disabled = n.userActionState === "dismissed";
  dismiss.onclick = () => act(() => connection.invoke("SetUserActionState", n.id, "dismissed"));
  item.querySelector('[data-action="delete"]').onclick = () => act(async () => {
    await connection.invoke("Delete", n.id);
    notifications.delete(n.id);
  });
  return item;
}

async function open(candidate) {
  token = candidate;
  $("token-form").hidden = true;
  $("inbox").hidden = false;
  status("connecting…");
  try {
    await api("/v1/me/notifications?top=1"); // a clear message for a bad token before SignalR's generic one
    await connect();
    sessionStorage.setItem("inbox-token", token);
    render();
  } catch (error) {
    status("not connected", "trouble");
    showError(error);
  }
}

function signOut() {
  sessionStorage.removeItem("inbox-token");
  connection?.stop();
  location.reload();
}

$("token-form").addEventListener("submit", event => {
  event.preventDefault();
  open($("token").value.trim());
});
$("mark-all-read").onclick = () => act(() => connection.invoke("MarkAllRead"));
$("more").onclick = () => loadOlder().catch(showError);
$("sign-out").onclick = signOut;

// A token in the fragment (#token=…) never reaches the server's logs; it is moved to this tab's session storage.
const fromFragment = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromFragment) history.replaceState(null, "", location.pathname);
const saved = fromFragment ?? sessionStorage.getItem("inbox-token");
if (saved) open(saved); else $("token-form").hidden = false;
