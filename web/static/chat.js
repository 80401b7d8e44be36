// The chat page: a thin client of the JSON API (/api/sessions/...). No build step.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const transcript = document.getElementById("transcript");
let sessionId = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    const message = error.message || data.detail || `HTTP ${response.status}`;
    const failure = new Error(typeof message === "string" ? message : JSON.stringify(message));
    failure.code = error.code;
    failure.details = error.details;
    throw failure;
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function say(role, text) {
  const bubble = el("div", { class: `bubble ${role}` }, text);
  transcript.append(bubble);
  bubble.scrollIntoView({ block: "end" });
  return bubble;
}

function row(label, value) {
  return el("tr", {}, el("th", {}, label), el("td", {}, value));
}

function stepCard(step, preview, pending, notice) {
  const base = preview.symbol.split("/")[0];
  const quote = preview.symbol.split("/")[1];
  const card = el("div", { class: "plan-step", "data-step-id": step.step_id });
  card.append(el("h3", {}, step.description));
  const table = el("table", { class: "figures" });
  if (preview.kind === "cancel") {
    table.append(
      row("Order", `${preview.order_id} on ${preview.symbol}`),
      row("Resting", `${preview.side} ${preview.amount} ${base}` + (preview.price ? ` at ${preview.price} ${quote}` : "")),
      row("Frees", `${preview.releases.amount} ${preview.releases.currency}`),
    );
  } else table.append(
    row("Amount", `${preview.amount} ${base}` + (preview.expected_amount !== preview.amount ? ` (≈ ${preview.expected_amount} expected to fill)` : "")),
    row("Average price", preview.average_price ? `${preview.average_price} ${quote}` : "n/a"),
    row("Worst price", preview.worst_price ? `${preview.worst_price} ${quote}` : "n/a"),
    row("Mid price", `${preview.mid_price} ${quote}`),
    row("Slippage", `${preview.slippage_bps} bps (${preview.levels} level(s))`),
    row("Notional", `${preview.notional} ${quote}`),
    row("Fee", `${preview.fee.cost} ${preview.fee.currency} (${(Number(preview.fee.rate) * 100).toFixed(3)}%)`),
    row("Balances after", Object.entries(preview.balances_after).map(([c, v]) => `${c} ${v}`).join(", ")),
  );
  card.append(table);
  for (const note of preview.notes || []) card.append(el("p", { class: "note" }, note));
  for (const warning of preview.warnings) {
    card.append(el("p", { class: warning.blocking ? "warning blocking" : "warning", "data-code": warning.code }, warning.message));
  }
  if (preview.assumptions) {
    card.append(el("p", { class: "muted assumptions" },
      `Assumes: ${preview.assumptions.fill_model}; fee tier ${preview.assumptions.fee_tier}; policy ${preview.policy_version}.`));
  }
  const status = el("p", { class: "step-status" });
  card.append(status);
  if (notice) {
    status.textContent = notice;
    status.className = "step-status requoted";
  }
  if (step.state === "skipped") {
    status.textContent = `Skipped: ${step.error}. Nothing was sent.`;
    status.className = "step-status error";
  } else if (!pending && (step.depends_on || []).length) {
    status.textContent = `Waits for step ${step.depends_on.join(", ")} to fill; it is then previewed ` +
      "again with what that step actually yielded, for you to confirm.";
    status.className = "step-status waiting";
  }
  if (pending) {
    card.append(el("p", { class: "summary" }, pending.summary));
    const confirm = el("button", { class: "confirm", type: "button" }, "Confirm");
    const reject = el("button", { class: "reject", type: "button" }, "Reject");
    const expires = el("p", { class: "muted expires" }, `Confirm before ${new Date(pending.expires_ms).toLocaleTimeString()}.`);
    let token = pending.token;
    confirm.addEventListener("click", async () => {
      confirm.disabled = reject.disabled = true;
      try {
        const result = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/confirm`, { token });
        showStepResult(status, result.step);
        confirm.remove(); reject.remove(); expires.remove();
        showNext(result.next);
        await refreshBalances();
      } catch (error) {
        if (error.code === "requote_required" && error.details) {
          // The market or the account moved: show the new preview, to be confirmed anew.
          const fresh = error.details.step;
          card.replaceWith(stepCard(fresh, fresh.preview, error.details.pending,
            `Not sent: ${error.details.reasons.join("; ")}. Here is the new preview.`));
          return;
        }
        status.textContent = `Not sent: ${error.message}`;
        status.className = "step-status error";
        if (/expired/.test(error.message)) {
          const refresh = el("button", { class: "refresh", type: "button" }, "Refresh quote");
          refresh.addEventListener("click", async () => {
            const fresh = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/preview`);
            card.replaceWith(stepCard(fresh.step, fresh.step.preview, fresh.pending));
          });
          confirm.replaceWith(refresh);
        }
      }
    });
    reject.addEventListener("click", async () => {
      confirm.disabled = reject.disabled = true;
      try {
        const result = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/reject`);
        status.textContent = `Rejected. Nothing was sent (${result.step.state}).`;
        confirm.remove(); reject.remove(); expires.remove();
        showNext(result.next);
      } catch (error) {
        status.textContent = error.message;
      }
    });
    card.append(el("div", { class: "actions" }, confirm, reject), expires);
  }
  return card;
}

// Steps that moved because of this one: a fresh card for each (new preview, or skipped).
function showNext(updates) {
  for (const update of updates || []) {
    const old = document.querySelector(`.plan-step[data-step-id="${update.step.step_id}"]`);
    const card = stepCard(update.step, update.step.preview, update.pending);
    if (old) old.replaceWith(card);
  }
}

function showStepResult(status, step) {
  const order = step.venue_order || {};
  if (step.state === "done") {
    status.textContent = `Canceled: order ${order.id} (${order.filled || 0} had filled).`;
    status.className = "step-status filled";
  } else if (step.state === "filled") {
    status.textContent = `Filled: ${order.filled} at ${order.average} average (order ${order.id}).`;
    status.className = "step-status filled";
  } else if (step.state === "open") {
    status.textContent = `Order ${order.id} is open at ${order.price}: ${order.remaining} remaining.`;
    status.className = "step-status open";
  } else {
    status.textContent = `State: ${step.state}${step.error ? ` — ${step.error}` : ""}`;
    status.className = "step-status error";
  }
}

function renderTurn(turn) {
  const bubble = say("assistant", turn.reply);
  if (!turn.plan || !turn.preview) return;
  const pendingById = Object.fromEntries(turn.pending.map((p) => [p.step_id, p]));
  const previewById = Object.fromEntries(turn.preview.steps.map((p) => [p.step_id, p]));
  const card = el("div", { class: "plan-card" });
  for (const note of turn.plan.notes) card.append(el("p", { class: "note" }, note));
  for (const step of turn.plan.steps) {
    card.append(stepCard(step, previewById[step.step_id], pendingById[step.step_id]));
  }
  bubble.append(card);
  card.scrollIntoView({ block: "end" });
}

async function refreshBalances() {
  const session = await api("GET", `/api/sessions/${sessionId}`);
  const body = document.querySelector("#balances tbody");
  body.replaceChildren(...Object.entries(session.balances.total).sort().map(([ccy, total]) =>
    el("tr", { "data-currency": ccy }, el("th", {}, ccy), el("td", {}, total))));
}

// Mark the words of the customer's message that produced each field of the intent.
function highlight(bubble, text, spans) {
  const nodes = [];
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue; // overlapping spans: keep the first
    nodes.push(text.slice(at, span.start));
    nodes.push(el("mark", { class: `span span-${span.field}`, title: span.field, "data-field": span.field },
      text.slice(span.start, span.end)));
    at = span.end;
  }
  nodes.push(text.slice(at));
  bubble.replaceChildren(...nodes);
}

document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("message");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const bubble = say("customer", text);
  try {
    await ready; // a message typed while the session is still being opened waits for it
    const turn = await api("POST", `/api/sessions/${sessionId}/messages`, { text });
    highlight(bubble, text, turn.spans);
    renderTurn(turn);
  } catch (error) {
    say("assistant error", `Sorry: ${error.message}`);
  }
});

for (const control of document.querySelectorAll("#composer input, #composer button")) {
  control.disabled = false;
}

const ready = (async () => {
  try {
    sessionId = (await api("POST", "/api/sessions")).id;
    document.body.dataset.sessionId = sessionId;
    say("assistant", "Hello. Tell me what you would like to trade; I will show you a preview and send nothing until you confirm.");
    await refreshBalances();
  } catch (error) {
    say("assistant error", `Could not start a session: ${error.message}`);
  }
})();
