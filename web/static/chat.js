// The chat page: a thin client of the JSON API (/api/sessions/...). No build step.
"use strict";

// The page's language: <html lang>, as the server chose it (the switch's `lang` cookie, else
// Accept-Language). TEXT is that language's catalogue (web/static/text.js, loaded first);
// the switch, or a reply in another language, changes both (setLocale).
let pageLocale = TEXTS[document.documentElement.lang] ? document.documentElement.lang : "en";
let TEXT = TEXTS[pageLocale];
// The templates' own words in every language (headings, labels), for re-labelling in place.
const PAGE_TEXT = JSON.parse(document.getElementById("page-text").textContent);
// Dates and times in the page's language (Hong Kong's conventions for English and 繁體).
const INTL_LOCALES = { en: "en-HK", "zh-Hans": "zh-Hans-CN", "zh-Hant": "zh-Hant-HK" };

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const transcript = document.getElementById("transcript");
let sessionId = null;
// Mandate orders placed by the worker, by their mandate's step id (as last heard).
const childrenByParent = {};
// Assistant replies this page has already shown (text -> count): a reply the live stream
// brings is shown only if the page has not (a mandate paused by the worker, say), once.
const shownReplies = new Map();
// Steps that can still change without the customer: a live update moves their cards.
const LIVE_STATES = new Set(["armed", "paused", "confirmed", "submitted", "open"]);
// The server's clock minus this browser's (from the Date header), so a countdown to a
// token's expires_ms (server time) is right on a device whose clock is off.
let clockSkewMs = 0;

// Errors the page cannot attribute to the request itself: no answer, or a server error
// that is not the venue refusing an order (those come as a 502 with our error code).
const VENUE_ANSWERS = new Set(["order_rejected", "order_not_found", "duplicate_order"]);

async function api(method, path, body, extraHeaders = {}) {
  let response;
  const sentAt = Date.now();
  try {
    response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (cause) {
    const failure = new Error(TEXT.unreachable);
    failure.unreachable = true;
    throw failure;
  }
  // The header is whole seconds (+500 ms on average) stamped between sending and
  // receiving (their midpoint); only a clock clearly off is corrected, not the noise.
  const served = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(served)) {
    const skew = served + 500 - (sentAt + Date.now()) / 2;
    clockSkewMs = Math.abs(skew) > 3000 ? skew : 0;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    // A refusal the page knows is said in the customer's language (the server's message,
    // with its step ids and venue codes, is for support and the API).
    const message = TEXT.errors[error.code] || error.message || data.detail || TEXT.httpError(response.status);
    const failure = new Error(typeof message === "string" ? message : JSON.stringify(message));
    failure.code = error.code;
    failure.details = error.details;
    failure.unreachable = response.status >= 500 && !VENUE_ANSWERS.has(error.code);
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

function say(role, text, scroll = true) {
  const bubble = el("div", { class: `bubble ${role}` }, text);
  transcript.append(bubble);
  if (scroll) bubble.scrollIntoView({ block: "end" });
  return bubble;
}

// Tokens of the steps waiting for a confirmation, kept for this tab only (sessionStorage),
// so a reload still shows Confirm and the countdown while the token is valid.
const keptTokens = {
  key: (sid, stepId) => `tradeassist.pending.${sid}.${stepId}`,
  keep(sid, pending) {
    try { sessionStorage.setItem(this.key(sid, pending.step_id), JSON.stringify(pending)); } catch (e) { /* none kept */ }
  },
  recall(sid, stepId) {
    try { return JSON.parse(sessionStorage.getItem(this.key(sid, stepId)) || "null"); } catch (e) { return null; }
  },
  forget(sid, stepId) {
    try { sessionStorage.removeItem(this.key(sid, stepId)); } catch (e) { /* nothing */ }
  },
};

function row(label, value) {
  return el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, value));
}

// Sending a message and polling the session run one at a time, so a poll never sees
// a reply in the transcript before the page has shown it with its plan.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

function duration(seconds) {
  for (const [unit, size] of [["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]]) {
    if (seconds >= size && seconds % size === 0) return TEXT.duration(seconds / size, unit);
  }
  return TEXT.duration(seconds, "second");
}

function conditionText(condition, quote) {
  return TEXT.condition(condition.op, condition.price, quote);
}

function when(ms) {
  return new Date(ms).toLocaleString(INTL_LOCALES[pageLocale]);
}

// The terms a mandate's confirmation agrees to, as rows of the figures table.
function mandateRows(terms, quote) {
  const rows = [];
  rows.push(row(TEXT.rowCondition, terms.condition
    ? TEXT.conditionOnly(conditionText(terms.condition, quote))
    : TEXT.noCondition));
  rows.push(row(TEXT.rowOrders, terms.orders > 1
    ? TEXT.atMost(terms.orders) + (terms.every_s ? TEXT.oneEvery(duration(terms.every_s)) : "")
    : TEXT.oneOrder));
  if (terms.amount_from) rows.push(row(TEXT.rowSells, TEXT.whatStepBought(terms.amount_from)));
  rows.push(row(TEXT.rowPriceBand, TEXT.priceBand(plain(terms.band_low), plain(terms.band_high), quote, plain(terms.reference_price))));
  rows.push(row(TEXT.rowUntil, when(terms.expires_ms)));
  if ((terms.oco_with || []).length) {
    rows.push(row(TEXT.rowOco, TEXT.ocoWith(TEXT.list(terms.oco_with))));
  }
  return rows;
}

// Steps are numbered as the customer sees them (1, 2, ... in their plan), never by id.
const stepNumbers = new Map();
function stepNumber(stepId) {
  if (stepNumbers.has(stepId)) return stepNumbers.get(stepId);
  const tail = /\.(\d+)$/.exec(stepId);
  return tail ? Number(tail[1]) : 1;
}

// Live countdowns to each pending token's expiry, ticked once a second.
const countdowns = new Map(); // element -> { expiresMs, onExpire }
function clockText(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
function showCountdown(node, left) {
  node.dataset.secondsLeft = String(Math.max(0, Math.ceil(left / 1000)));
  node.textContent = TEXT.countdown(clockText(left));
}
function tickCountdowns() {
  const now = Date.now() + clockSkewMs;
  for (const [node, entry] of countdowns) {
    // A card replaced before it was ever shown, or since removed: forget its countdown.
    if (!node.isConnected && entry.ticked) { countdowns.delete(node); continue; }
    entry.ticked = true;
    const left = entry.expiresMs - now;
    showCountdown(node, left);
    if (left <= 0) {
      countdowns.delete(node);
      entry.onExpire();
    }
  }
}
function startCountdown(node, expiresMs, onExpire) {
  countdowns.set(node, { expiresMs, onExpire, ticked: false });
  showCountdown(node, expiresMs - Date.now() - clockSkewMs);
}
function stopCountdown(node) {
  countdowns.delete(node);
}
setInterval(tickCountdowns, 1000);

// Move keyboard and screen-reader focus to a card that just arrived.
function focusCard(card) {
  card.focus({ preventScroll: true });
  card.scrollIntoView({ block: "nearest" });
}

// What the customer pays and gets, in one line, before any figure.
function deal(preview, base, quote, terms) {
  const fee = Number(preview.fee.cost);
  const each = terms && terms.orders > 1 ? TEXT.eachOrder : "";
  let give; let get;
  if (preview.side === "buy") {
    give = `${TEXT.youPay} ${TEXT.about} ${money(Number(preview.notional) + (preview.fee.currency === quote ? fee : 0), quote)} ${quote}`;
    get = `${TEXT.youGet} ${TEXT.about} ${money(Number(preview.expected_amount) - (preview.fee.currency === base ? fee : 0), base)} ${base}`;
  } else {
    give = `${TEXT.youSell} ${money(preview.amount, base)} ${base}`;
    get = `${TEXT.youGet} ${TEXT.about} ${money(Number(preview.notional) - (preview.fee.currency === quote ? fee : 0), quote)} ${quote}`;
  }
  return el("p", { class: "deal" }, el("strong", {}, give), " · ", el("strong", {}, get), each);
}

// The trader's figures, one click away.
function details(preview, base, quote) {
  const more = el("table", { class: "more-figures" },
    row(TEXT.worstPrice, preview.worst_price ? `${price(preview.worst_price)} ${quote}` : TEXT.notAvailable),
    row(TEXT.midPrice, `${price(preview.mid_price)} ${quote}`),
    row(TEXT.slippage, TEXT.slippageValue(num(Number(preview.slippage_bps) / 100, 2, 2))),
    row(TEXT.notional, `${money(preview.notional, quote)} ${quote}`),
    row(TEXT.amount, `${money(preview.amount, base)} ${base}` +
      (preview.expected_amount !== preview.amount ? ` ${TEXT.expectedToFill(money(preview.expected_amount, base))}` : "")),
  );
  const box = el("details", { class: "more" }, el("summary", {}, TEXT.details), more);
  if (preview.assumptions) {
    box.append(el("p", { class: "muted assumptions" },
      TEXT.assumes(fillModel(preview, quote), feeTier(preview), preview.policy_version)));
  }
  return box;
}

// How the preview assumes the order fills, and the fee tier it applies, in the page's
// language (as execution/preview/simulator.py works them out: a market order, or a limit
// order that takes from the book, pays the taker rate).
function fillModel(preview, quote) {
  if (preview.type === "market") return TEXT.fillMarket(preview.assumptions.book_levels);
  return preview.levels > 0 ? TEXT.fillLimitTakes(`${price(preview.price)} ${quote}`) : TEXT.fillLimitRests;
}
function feeTier(preview) {
  const taker = preview.type === "market" || preview.levels > 0;
  return TEXT.feeTier(taker ? TEXT.taker : TEXT.maker, num(Number(preview.fee.rate) * 100, 0, 4));
}

// --- Pictures (inline SVG, no library): the book side an order walks, with its expected
// average and worst price; a mandate's trigger, take-profit and stop-loss against the market.
const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
// Where a label goes so that it stays inside the picture.
function anchorAt(x, width) {
  return x < width * 0.25 ? "start" : x > width * 0.75 ? "end" : "middle";
}
const round1 = (v) => Math.round(v * 10) / 10;

// The cumulative depth of the levels walked (in the order walked), a line at the expected
// average price and one at the worst; prices grow to the right.
function depthChart(preview, depth, quote) {
  if (!depth || !depth.length || !preview.average_price || !preview.worst_price) return null;
  const W = 320; const H = 104; const pad = 6; const top = 30; const bottom = 18;
  const levels = depth.map(([p, a]) => [Number(p), Number(a)]);
  const average = Number(preview.average_price);
  const worst = Number(preview.worst_price);
  let lo = Math.min(average, worst, ...levels.map((l) => l[0]));
  let hi = Math.max(average, worst, ...levels.map((l) => l[0]));
  const margin = hi > lo ? (hi - lo) * 0.05 : Math.max(hi * 0.0005, 1e-9);
  lo -= margin; hi += margin;
  let total = 0;
  const steps = levels.map(([p, a]) => [p, (total += a)]);
  const x = (p) => round1(pad + ((p - lo) / (hi - lo)) * (W - 2 * pad));
  const y = (c) => round1(H - bottom - (total ? c / total : 0) * (H - top - bottom));
  let path = `M${x(steps[0][0])},${y(0)} L${x(steps[0][0])},${y(steps[0][1])}`;
  for (let i = 1; i < steps.length; i += 1) {
    path += ` L${x(steps[i][0])},${y(steps[i - 1][1])} L${x(steps[i][0])},${y(steps[i][1])}`;
  }
  path += ` L${x(steps[steps.length - 1][0])},${y(0)} Z`;
  const marker = (cls, value, label, row) => {
    const at = x(value);
    // A label beside its line, not on it (nor on the other marker's line at the same price).
    const anchor = anchorAt(at, W);
    const nudge = anchor === "start" ? 3 : anchor === "end" ? -3 : 0;
    return svg("g", { class: cls, "data-price": value, "data-x": at },
      svg("line", { x1: at, x2: at, y1: row - 2, y2: H - bottom }),
      svg("text", { x: at + nudge, y: row - 5, "text-anchor": anchor }, `${label} ${price(value)}`));
  };
  const first = levels[0][0]; const last = levels[levels.length - 1][0];
  return svg("svg", {
    class: "depth-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "data-side": preview.side,
    "aria-label": TEXT.depthLabel(preview.side, levels.length, price(first), price(last),
      price(average), price(worst), quote),
  },
  svg("path", { class: "depth-area", d: path }),
  svg("line", { class: "depth-axis", x1: pad, x2: W - pad, y1: H - bottom, y2: H - bottom }),
  svg("text", { class: "depth-tick", x: x(first), y: H - 4, "text-anchor": anchorAt(x(first), W) }, price(first)),
  svg("text", { class: "depth-tick", x: x(last), y: H - 4, "text-anchor": anchorAt(x(last), W) }, price(last)),
  marker("depth-average", average, TEXT.chartAverage, 14),
  marker("depth-worst", worst, TEXT.chartWorst, 28));
}

// A mandate's levels (its trigger, and the other exits of its bracket) on one scale with
// the market's price when it was previewed.
const mandateLevels = new Map(); // step id -> { op, price, exit }
function rememberLevels(previews) {
  for (const preview of previews) {
    const terms = preview && preview.mandate;
    if (terms && terms.condition) {
      mandateLevels.set(preview.step_id, { op: terms.condition.op, price: Number(terms.condition.price), exit: !!terms.amount_from });
    }
  }
}
function levelName(level) {
  if (!level.exit) return TEXT.trigger;
  return level.op === ">=" ? TEXT.takeProfit : TEXT.stopLoss;
}
function levelScale(step, preview, now, quote) {
  const terms = preview.mandate;
  if (!terms || !terms.condition || !now) return null;
  const own = { op: terms.condition.op, price: Number(terms.condition.price), exit: !!terms.amount_from };
  const group = [own, ...(terms.oco_with || []).map((id) => mandateLevels.get(id)).filter(Boolean)];
  const marks = group.map((level) => ({ ...level, label: levelName(level) }))
    .sort((a, b) => a.price - b.price);
  const current = Number(now);
  const W = 320; const H = 66; const pad = 8; const lineY = 34;
  let lo = Math.min(current, ...marks.map((m) => m.price));
  let hi = Math.max(current, ...marks.map((m) => m.price));
  const margin = hi > lo ? (hi - lo) * 0.06 : Math.max(hi * 0.01, 1e-9);
  lo -= margin; hi += margin;
  const x = (p) => round1(pad + ((p - lo) / (hi - lo)) * (W - 2 * pad));
  const nowAt = x(current);
  return svg("svg", {
    class: "level-scale", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": TEXT.levelsLabel(price(current), marks.map((m) => ({ label: m.label, price: price(m.price) })), quote),
  },
  svg("line", { class: "level-axis", x1: pad, x2: W - pad, y1: lineY, y2: lineY }),
  ...marks.map((m) => {
    const at = x(m.price);
    const kind = m.label === TEXT.takeProfit ? "take-profit" : m.label === TEXT.stopLoss ? "stop-loss" : "trigger";
    return svg("g", { class: `level-mark ${kind}`, "data-price": m.price, "data-x": at, "data-own": String(m === marks.find((k) => k.price === own.price && k.op === own.op)) },
      svg("line", { x1: at, x2: at, y1: lineY - 12, y2: lineY + 6 }),
      svg("text", { x: at, y: lineY - 16, "text-anchor": anchorAt(at, W) }, `${m.label} ${price(m.price)}`));
  }),
  svg("g", { class: "level-now", "data-price": current, "data-x": nowAt },
    svg("circle", { cx: nowAt, cy: lineY, r: 4 }),
    svg("text", { x: nowAt, y: lineY + 22, "text-anchor": anchorAt(nowAt, W) }, `${TEXT.chartNow} ${price(current)}`)));
}

function stepCard(step, preview, pending, notice) {
  if (preview.kind === "stop") return stopCard(step, preview, pending);
  const base = preview.symbol.split("/")[0];
  const quote = preview.symbol.split("/")[1];
  const terms = step.kind === "mandate" ? preview.mandate : null;
  // A bracket's exits (and a convert's second order) are legs of the step they follow:
  // nested under it, after the plan's one-sentence terms in the reply.
  const leg = (step.depends_on || []).length ? " leg" : "";
  const card = el("div", { class: (terms ? "plan-step mandate" : "plan-step") + leg, "data-step-id": step.step_id });
  rememberStep(step, preview);
  card.dataset.state = step.state || "";
  const titleId = `step-title-${step.step_id}`;
  card.setAttribute("role", "group");
  card.setAttribute("aria-labelledby", titleId);
  card.tabIndex = -1;
  card.append(el("h3", { id: titleId }, step.description));
  const table = el("table", { class: "figures" });
  if (terms) table.append(...mandateRows(terms, quote));
  if (preview.kind === "cancel") {
    table.append(
      row(TEXT.rowOrder, TEXT.orderOn(preview.order_id, preview.symbol)),
      row(TEXT.rowResting, TEXT.resting(sideWord(preview.side), `${money(preview.amount, base)} ${base}`,
        preview.price ? `${price(preview.price)} ${quote}` : null)),
      row(TEXT.rowFrees, `${money(preview.releases.amount, preview.releases.currency)} ${preview.releases.currency}`),
    );
  } else {
    // What the customer pays and gets, first: the sentence shown next to Confirm (and
    // journaled with the confirmation) when there is one, else worked out the same way.
    card.append(pending && pending.summary
      ? el("p", { class: "deal summary" }, pending.summary)
      : deal(preview, base, quote, terms));
    const picture = terms ? levelScale(step, preview, step.market_mid, quote) : depthChart(preview, step.depth, quote);
    if (picture) card.append(picture);
    table.append(
      row(TEXT.averagePrice, preview.average_price ? `${price(preview.average_price)} ${quote}` : TEXT.notAvailable),
      row(TEXT.fee, TEXT.feeValue(`${money(preview.fee.cost, preview.fee.currency)} ${preview.fee.currency}`,
        (Number(preview.fee.rate) * 100).toFixed(2))),
      row(TEXT.balancesAfter, TEXT.list(Object.entries(preview.balances_after)
        .map(([c, v]) => (Number(v) < 0 ? `${c} ${TEXT.shortBy(money(-Number(v), c))}` : `${c} ${money(v, c)}`)))),
    );
  }
  card.append(table);
  // the notes as shown in the customer's language (the server's), else as written
  const notes = preview.note_texts || (step.note_texts && step.note_texts.length ? step.note_texts : preview.notes) || [];
  for (const note of notes) card.append(el("p", { class: "note" }, note));
  // The sentence the customer is shown (the server renders it in their language); the
  // warning's message is support's, with the venue's codes.
  preview.warnings.forEach((warning, i) => {
    const shown = warning.text || (step.warning_texts || [])[i] || warning.message;
    card.append(el("p", { class: warning.blocking ? "warning blocking" : "warning", "data-code": warning.code }, shown));
  });
  const status = el("p", { class: "step-status" });
  card.append(status);
  if (notice) {
    status.textContent = notice;
    status.className = "step-status requoted";
  }
  if (terms) {
    card.append(el("ul", { class: "mandate-orders" }));
  }
  if (terms && !pending && step.state && step.preview) {
    renderMandate(card, step);
  } else if (step.state === "skipped") {
    status.textContent = TEXT.skippedStatus(step.error);
    status.className = "step-status error";
  } else if (!pending && (step.depends_on || []).length) {
    status.textContent = TEXT.waitsFor(TEXT.list(step.depends_on.map(stepNumber)));
    status.className = "step-status waiting";
  }
  if (pending) {
    const sid = sessionId;
    if (pending.token) keptTokens.keep(sid, pending);
    if (pending.summary && preview.kind === "cancel") card.append(el("p", { class: "summary" }, pending.summary));
    const what = step.description;
    const n = stepNumber(step.step_id);
    const confirm = el("button", { class: "confirm", type: "button", "aria-label": TEXT.confirmLabel(n, what) },
      terms ? TEXT.confirmMandate : TEXT.confirm);
    const reject = el("button", { class: "reject", type: "button", "aria-label": TEXT.rejectLabel(n, what) }, TEXT.reject);
    // A live countdown to the token's expiry; role=timer is not announced every second.
    const expires = el("p", { class: "muted expires", role: "timer" });
    const actions = el("div", { class: "actions" }, confirm, reject);
    const token = pending.token;
    let busy = false;
    const setStatus = (text, css) => {
      status.textContent = text;
      status.className = `step-status ${css}`;
    };
    const retryButton = (run) => {
      const retry = el("button", { class: "retry", type: "button", "aria-label": TEXT.retryLabel(n, what) }, TEXT.retry);
      retry.addEventListener("click", () => { retry.remove(); run(); });
      status.append(" ", retry);
    };
    const expire = (why = TEXT.expired) => {
      // Once the token has expired, one button: preview again for a fresh quote and token.
      stopCountdown(expires);
      expires.remove();
      keptTokens.forget(sid, step.step_id);
      setStatus(why, "expired");
      const refresh = el("button", { class: "refresh", type: "button", "aria-label": TEXT.refreshLabel(n, what) },
        TEXT.refreshQuote);
      const fetchAgain = async () => {
        refresh.disabled = reject.disabled = true;
        setStatus(TEXT.refreshing, "progress");
        try {
          const fresh = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/preview`);
          const replacement = stepCard(fresh.step, fresh.step.preview, fresh.pending);
          card.replaceWith(replacement);
          focusCard(replacement);
          refreshOrders();
        } catch (error) {
          refresh.disabled = reject.disabled = false;
          setStatus(error.unreachable ? TEXT.unreachable : TEXT.notSent(error.message), "error");
          if (error.unreachable) retryButton(fetchAgain);
        }
      };
      refresh.addEventListener("click", fetchAgain);
      confirm.replaceWith(refresh);
    };
    const confirmNow = async () => {
      busy = true;
      confirm.disabled = reject.disabled = true;
      try {
        const result = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/confirm`, { token });
        keptTokens.forget(sid, step.step_id);
        stopCountdown(expires);
        actions.remove(); expires.remove();
        if (terms) renderMandate(card, result.step);
        else showStepResult(status, result.step);
        card.dataset.state = result.step.state;
        showNext(result.next);
        await refreshBalances().catch(() => {});
        refreshOrders();
      } catch (error) {
        busy = false;
        if (error.code === "requote_required" && error.details) {
          // The market or the account moved: show the new preview, to be confirmed anew.
          stopCountdown(expires);
          const fresh = error.details.step;
          const replacement = stepCard(fresh, fresh.preview, error.details.pending,
            TEXT.requoted(error.details.reasons));
          card.replaceWith(replacement);
          focusCard(replacement);
          return;
        }
        if (error.code === "token_expired") {
          expire();
          reject.disabled = false;
          return;
        }
        if (error.unreachable) {
          // The order may have gone out: a retry first asks the journal where the step is.
          setStatus(TEXT.unreachableConfirm, "error");
          retryButton(checkThenConfirm);
        } else {
          setStatus(TEXT.notSent(error.message), "error");
        }
        confirm.disabled = reject.disabled = false;
      }
    };
    const checkThenConfirm = async () => {
      confirm.disabled = reject.disabled = true;
      let session;
      try {
        session = await api("GET", `/api/sessions/${sessionId}`);
      } catch (error) {
        setStatus(TEXT.unreachableConfirm, "error");
        retryButton(checkThenConfirm);
        confirm.disabled = reject.disabled = false;
        return;
      }
      const now = session.steps.find((s) => s.step_id === step.step_id);
      if (now && now.state === "awaiting_confirmation") {
        await confirmNow();
        return;
      }
      // It moved (the confirmation had reached the exchange): show where it is now.
      stopCountdown(expires);
      actions.remove(); expires.remove();
      if (now) {
        card.dataset.state = now.state;
        if (terms) renderMandate(card, now);
        else showStepResult(status, now);
      }
      renderBalances(session);
      refreshOrders();
    };
    confirm.addEventListener("click", confirmNow);
    const rejectNow = async () => {
      confirm.disabled = reject.disabled = true;
      const refresh = card.querySelector("button.refresh");
      if (refresh) refresh.disabled = true;
      try {
        const result = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/reject`);
        keptTokens.forget(sid, step.step_id);
        stopCountdown(expires);
        status.textContent = TEXT.rejectedState(stateWord(result.step.state));
        status.className = "step-status";
        card.dataset.state = result.step.state;
        actions.remove(); expires.remove();
        showNext(result.next);
        refreshOrders();
      } catch (error) {
        confirm.disabled = reject.disabled = false;
        if (refresh) refresh.disabled = false;
        setStatus(error.unreachable ? TEXT.unreachable : error.message, "error");
        if (error.unreachable) retryButton(rejectNow);
      }
    };
    reject.addEventListener("click", rejectNow);
    card.append(actions, expires);
    if (token) startCountdown(expires, pending.expires_ms, () => { if (!busy) expire(); });
    else expire(TEXT.reloadedQuote);
  }
  // The trader's figures last, after the buttons: plain words and the decision come first.
  if (preview.kind !== "cancel") card.append(details(preview, base, quote));
  return card;
}

// A stop step's card: which standing order stops and how far it got; Confirm stops it
// (in whichever conversation it was set up), Reject leaves it working.
function stopCard(step, preview, pending) {
  const card = el("div", { class: "plan-step stop", "data-step-id": step.step_id, "data-state": step.state || "" });
  const titleId = `step-title-${step.step_id}`;
  card.setAttribute("role", "group");
  card.setAttribute("aria-labelledby", titleId);
  card.tabIndex = -1;
  const what = preview.description;
  card.append(el("h3", { id: titleId }, step.description),
    el("p", { class: "deal summary" }, (pending && pending.summary) || TEXT.stopSummary(what, preview.orders_placed, preview.orders_total)));
  const status = el("p", { class: "step-status" });
  card.append(status);
  const show = (state) => {
    card.dataset.state = state;
    const texts = { done: [TEXT.stopDone(what), "filled"], rejected: [TEXT.rejected, "muted"],
      blocked: [TEXT.stopEnded(what), "muted"], confirmed: [TEXT.stopInFlight, "progress"] };
    const [text, css] = texts[state] || [state === "failed" ? TEXT.stopNotDone(step.error || state) : "", "error"];
    status.textContent = text;
    status.className = `step-status ${css}`;
  };
  if (!pending) {
    if (step.state) show(step.state);
    return card;
  }
  const sid = sessionId;
  const n = stepNumber(step.step_id);
  if (pending.token) keptTokens.keep(sid, pending);
  const confirm = el("button", { class: "confirm", type: "button", "aria-label": TEXT.confirmLabel(n, step.description) }, TEXT.stopConfirm);
  const reject = el("button", { class: "reject", type: "button", "aria-label": TEXT.rejectLabel(n, step.description) }, TEXT.stopReject);
  const actions = el("div", { class: "actions" }, confirm, reject);
  card.append(actions);
  const answer = async (path, body) => {
    confirm.disabled = reject.disabled = true;
    try {
      const result = await api("POST", `/api/sessions/${sid}/steps/${step.step_id}/${path}`, body);
      keptTokens.forget(sid, step.step_id);
      actions.remove();
      show(result.step.state);
      if (result.step.state === "done") ordersStatus.textContent = TEXT.stopped(what);
      refreshOrders();
    } catch (error) {
      confirm.disabled = reject.disabled = false;
      status.textContent = error.unreachable ? TEXT.unreachableStop : TEXT.stopNotDone(error.message);
      status.className = "step-status error";
    }
  };
  reject.addEventListener("click", () => answer("reject"));
  if (pending.token) {
    confirm.addEventListener("click", () => answer("confirm", { token: pending.token }));
  } else {
    // Restored after a reload without its token: shown again, with a fresh one.
    confirm.textContent = TEXT.stopAgain;
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      try {
        const fresh = await api("POST", `/api/sessions/${sid}/steps/${step.step_id}/preview`);
        const replacement = stepCard(fresh.step, fresh.step.preview, fresh.pending);
        card.replaceWith(replacement);
        focusCard(replacement);
      } catch (error) {
        confirm.disabled = false;
        status.textContent = error.unreachable ? TEXT.unreachable : TEXT.stopNotDone(error.message);
      }
    });
  }
  return card;
}

function childText(child, index, symbol) {
  const [base, quote] = symbol.split("/");
  const order = child.venue_order || {};
  const head = TEXT.childHead(index + 1);
  if (child.state === "filled") return head + TEXT.childFilled(`${plain(order.filled)} ${base}`, `${price(order.average)} ${quote}`, order.id);
  if (child.state === "partially_filled") return head + TEXT.childPartial(plain(order.filled), `${plain(order.amount)} ${base}`, `${price(order.average)} ${quote}`);
  if (child.state === "open") return head + TEXT.childOpen(`${price(order.price)} ${quote}`, `${plain(order.remaining)} ${base}`);
  if (child.state === "canceled") return head + TEXT.childCanceled;
  if (child.state === "failed") return head + TEXT.childFailed(child.error);
  if (["confirmed", "submitted"].includes(child.state)) return head + TEXT.childSending;
  return head + TEXT.childOther(stateWord(child.state), child.error);
}

// A mandate card after its confirmation: its state, its orders so far, and what the
// customer can do now (stop it; preview a paused one again).
function renderMandate(card, step) {
  const terms = (step.preview || {}).mandate;
  if (!terms) return;
  const quote = step.preview.symbol.split("/")[1];
  const status = card.querySelector(".step-status");
  const children = childrenByParent[step.step_id] || [];
  const list = card.querySelector(".mandate-orders");
  list.replaceChildren(...children.map((child, i) =>
    el("li", { "data-step-id": child.step_id, "data-state": child.state, class: child.state }, childText(child, i, step.preview.symbol))));
  card.dataset.state = step.state;
  card.dataset.signature = mandateSignature(step);
  const placed = children.filter((c) => !["failed", "planned", "awaiting_confirmation"].includes(c.state)).length;
  let text;
  let css = step.state;
  const actions = [];
  if (step.state === "armed") {
    const what = terms.orders > 1
      ? TEXT.armedMany(terms.orders, duration(terms.every_s || 0)) +
        (terms.condition ? TEXT.armedWhile(conditionText(terms.condition, quote)) : "")
      : terms.condition ? TEXT.armedOnceWhen(conditionText(terms.condition, quote)) : TEXT.armedOnce;
    text = TEXT.armed(what, plain(terms.band_low), plain(terms.band_high), quote, when(terms.expires_ms)) +
      (terms.orders > 1 ? TEXT.placedSoFar(placed, terms.orders) : "");
    actions.push("stop");
  } else if (step.state === "paused") {
    text = TEXT.pausedStatus(step.error);
    actions.push("preview", "stop");
  } else if (step.state === "blocked") {
    text = TEXT.blockedStatus;
    css = "error";
    actions.push("preview", "stop");
  } else if (step.state === "done") {
    text = TEXT.doneStatus(step.error || TEXT.ordersPlaced(placed));
    css = "filled";
  } else if (step.state === "skipped") {
    text = step.superseded_by
      ? TEXT.skippedFirst(stepNumber(step.superseded_by))
      : TEXT.skippedMore(step.error);
    css = "muted";
  } else if (step.state === "rejected") {
    text = step.armed_ms
      ? TEXT.stoppedMandate(placed)
      : TEXT.rejectedState(stateWord("rejected"));
    css = "muted";
  } else {
    text = TEXT.stateLine(stateWord(step.state), step.error);
  }
  status.textContent = text;
  status.className = `step-status mandate-status ${css}`;
  card.querySelector(".mandate-actions")?.remove();
  if (!actions.length) return;
  const bar = el("div", { class: "actions mandate-actions" });
  if (actions.includes("preview")) {
    const again = el("button", { class: "preview-again", type: "button" }, TEXT.previewAgain);
    again.addEventListener("click", async () => {
      again.disabled = true;
      try {
        const fresh = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/preview`);
        card.replaceWith(stepCard(fresh.step, fresh.step.preview, fresh.pending));
        refreshOrders();
      } catch (error) {
        status.textContent = error.unreachable ? TEXT.unreachable : TEXT.previewAgainFailed(error.message);
        again.disabled = false;
      }
    });
    bar.append(again);
  }
  if (actions.includes("stop")) {
    const stop = el("button", { class: "stop reject", type: "button" }, TEXT.stop);
    stop.addEventListener("click", async () => {
      for (const button of bar.querySelectorAll("button")) button.disabled = true;
      try {
        const result = await api("POST", `/api/sessions/${sessionId}/steps/${step.step_id}/reject`);
        renderMandate(card, result.step);
        showNext(result.next);
        refreshOrders();
      } catch (error) {
        status.textContent = error.unreachable ? TEXT.unreachableStop : TEXT.stopFailed(error.message);
        for (const button of bar.querySelectorAll("button")) button.disabled = false;
      }
    });
    bar.append(stop);
  }
  card.append(bar);
}

function mandateSignature(step) {
  const children = (childrenByParent[step.step_id] || []).map((c) => `${c.step_id}:${c.state}`);
  return [step.state, step.error || "", ...children].join("|");
}

// --- Live updates: the server pushes what changed (Server-Sent Events from the journal):
// the conversation shown (its steps, and replies the page has not shown) on one stream, the
// orders panel (any of the customer's conversations) on another. EventSource reconnects
// by itself and resumes after the last event it heard (Last-Event-ID). Each update is
// applied through serial(), so it never overtakes a message being sent.
const stepViews = new Map(); // step id -> the step as last heard, with its preview
const LIVE_DOWN_MS = 10000; // only an outage this long is mentioned
const liveDown = new Set();
let liveStatus = null;

function rememberStep(step, preview) {
  const before = stepViews.get(step.step_id) || {};
  stepViews.set(step.step_id, { ...before, ...step, preview: preview || step.preview || before.preview });
}

function showLiveStatus() {
  if (!liveStatus) {
    liveStatus = el("p", { id: "live-status", class: "muted live-status", role: "status" });
    composer.before(liveStatus);
  }
  liveStatus.textContent = liveDown.size ? TEXT.livePaused : "";
}

// An EventSource calling handlers[event type](data, id); reopened (from where `resume`
// says) if it gives up (the server refused it, say). close() ends it for good.
function liveStream(url, handlers, resume) {
  let source = null;
  let downTimer = null;
  let reopenTimer = null;
  let closed = false;
  const up = () => {
    clearTimeout(downTimer);
    downTimer = null;
    if (liveDown.delete(handle)) showLiveStatus();
  };
  const open = (from) => {
    source = new EventSource(from);
    for (const [kind, apply] of Object.entries(handlers)) {
      source.addEventListener(kind, (event) => apply(JSON.parse(event.data), event.lastEventId));
    }
    source.addEventListener("open", up);
    source.addEventListener("error", () => {
      if (closed) return;
      if (downTimer === null) {
        downTimer = setTimeout(() => { liveDown.add(handle); showLiveStatus(); }, LIVE_DOWN_MS);
      }
      if (source.readyState === EventSource.CLOSED) {
        reopenTimer = setTimeout(() => { if (!closed) open(resume()); }, 5000);
      }
    });
  };
  const handle = {
    close() {
      closed = true;
      clearTimeout(reopenTimer);
      if (source) source.close();
      up();
    },
  };
  open(url);
  return handle;
}

let sessionStream = null;
let heardSeq = -1;
function followSession(id, after) {
  if (sessionStream) sessionStream.close();
  sessionStream = null;
  if (!id || typeof EventSource !== "function") return;
  heardSeq = after;
  const url = (from) => `/api/sessions/${encodeURIComponent(id)}/stream?after=${from}`;
  let stream = null;
  const apply = (handler) => (data, eventId) => serial(async () => {
    const seq = Number(eventId.split(":").pop());
    if (stream !== sessionStream || seq <= heardSeq) return; // another conversation, or heard
    heardSeq = seq;
    handler(data);
  });
  stream = liveStream(url(after), { step: apply(applyStep), reply: apply(showReply) }, () => url(heardSeq));
  sessionStream = stream;
}

// A step's change (without its preview, which the page keeps): its card, or its mandate's.
function applyStep(change) {
  rememberStep(change);
  const step = stepViews.get(change.step_id);
  if (!step.parent) {
    refreshCard(step);
    return;
  }
  const siblings = (childrenByParent[step.parent] ||= []);
  const at = siblings.findIndex((child) => child.step_id === step.step_id);
  if (at >= 0) siblings[at] = step;
  else siblings.push(step);
  const mandate = stepViews.get(step.parent);
  if (mandate) refreshCard(mandate);
}

function refreshCard(step) {
  const card = document.querySelector(`.plan-step[data-step-id="${step.step_id}"]`);
  if (!card) return;
  if (step.kind === "mandate") {
    // Only cards past their confirmation: a preview waiting for one is left alone.
    const after = ["armed", "paused", "done", "skipped", "rejected"].includes(step.state);
    const shown = ["armed", "paused", "done", "skipped", "rejected", "blocked"].includes(card.dataset.state);
    if (after && shown && step.preview && card.dataset.signature !== mandateSignature(step)) {
      renderMandate(card, step);
    }
  } else if (LIVE_STATES.has(card.dataset.state) && card.dataset.state !== step.state) {
    showStepResult(card.querySelector(".step-status"), step);
    card.dataset.state = step.state;
  }
}

function showReply(line) {
  const shown = shownReplies.get(line.text) || 0;
  if (shown > 0) shownReplies.set(line.text, shown - 1);
  else say("assistant notice", line.text);
}

// The orders panel: fetched again (with the balances) when a change concerns it, once for
// a burst of changes.
let ordersStream = null;
let ordersTimer = null;
function ordersChanged() {
  clearTimeout(ordersTimer);
  ordersTimer = setTimeout(() => {
    refreshOrders();
    refreshBalances().catch(() => {});
  }, 250);
}
function followOrders() {
  if (typeof EventSource !== "function") {
    refreshOrders();
    return;
  }
  if (!ordersStream) ordersStream = liveStream("/api/orders/stream", { orders: ordersChanged }, () => "/api/orders/stream");
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
  const base = String(order.symbol || "").split("/")[0];
  const amount = (value) => money(value || 0, base);
  if (step.state === "done") {
    status.textContent = TEXT.resultDone(order.id, amount(order.filled));
    status.className = "step-status filled";
  } else if (step.state === "filled") {
    status.textContent = TEXT.resultFilled(amount(order.filled), price(order.average), order.id);
    status.className = "step-status filled";
  } else if (step.state === "partially_filled") {
    status.textContent = TEXT.resultPartial(amount(order.filled), amount(order.amount), price(order.average), order.id);
    status.className = "step-status filled";
  } else if (step.state === "canceled") {
    status.textContent = TEXT.resultCanceled(order.id);
    status.className = "step-status muted";
  } else if (step.state === "open") {
    status.textContent = TEXT.resultOpen(order.id, price(order.price), amount(order.remaining));
    status.className = "step-status open";
  } else if (step.state === "confirmed" || step.state === "submitted") {
    status.textContent = TEXT.inFlight;
    status.className = "step-status progress";
  } else {
    status.textContent = TEXT.stateLine(stateWord(step.state), step.error);
    status.className = "step-status error";
  }
}

function renderTurn(turn) {
  shownReplies.set(turn.reply, (shownReplies.get(turn.reply) || 0) + 1);
  const bubble = say("assistant", turn.reply);
  if (!turn.plan || !turn.preview) return null;
  const pendingById = Object.fromEntries(turn.pending.map((p) => [p.step_id, p]));
  const previewById = Object.fromEntries(turn.preview.steps.map((p) => [p.step_id, p]));
  const card = el("div", { class: "plan-card" });
  for (const note of turn.plan.notes) card.append(el("p", { class: "note" }, note));
  turn.plan.steps.forEach((step, i) => stepNumbers.set(step.step_id, i + 1));
  rememberLevels(turn.preview.steps);
  const drawn = (step) => ({ ...step, depth: (turn.preview.depth || {})[step.step_id], market_mid: (turn.preview.market_mid || {})[step.step_id] });
  const cards = turn.plan.steps.map((step) =>
    stepCard(drawn(step), previewById[step.step_id], pendingById[step.step_id]));
  card.append(...cards);
  bubble.append(card);
  // The card to read first: the first one waiting for a confirmation.
  return cards.find((c) => c.querySelector("button.confirm")) || cards[0] || null;
}

async function refreshBalances() {
  renderBalances({ balances: await api("GET", "/api/balances") });
}

function renderBalances(session) {
  const body = document.querySelector("#balances tbody");
  body.replaceChildren(...Object.entries(session.balances.total).sort().map(([ccy, total]) =>
    el("tr", { "data-currency": ccy }, el("th", {}, ccy), el("td", {}, money(total, ccy)))));
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

const composer = document.getElementById("composer");
const input = document.getElementById("message");
const sendButton = composer.querySelector("button[type=submit]");

// One message at a time: while one is on its way the box and Send are disabled, a
// progress bubble shows, and any further submit (a double Enter, a second click) is
// ignored, so a message makes one preview.
let inFlight = false;
function setSending(sending) {
  inFlight = sending;
  input.disabled = sendButton.disabled = sending;
  composer.setAttribute("aria-busy", String(sending));
  transcript.setAttribute("aria-busy", String(sending));
}

// One key per message, kept across its retries: the server refuses a second message with
// the same key (409 duplicate_message), so a retry after a lost answer never makes a
// second preview; the page then shows the conversation as the server has it.
function messageKey() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace(".", ""))
    .replace(/[^A-Za-z0-9_-]/g, "");
}

async function send(text, bubble, key = messageKey()) {
  if (inFlight) return;
  if (!disclosureAcknowledged()) {
    bubble.remove();
    input.value = text;
    if (disclosure) showDisclosure();
    return;
  }
  setSending(true);
  const progress = el("div", { class: "bubble assistant progress", role: "status" },
    el("span", { class: "spinner", "aria-hidden": "true" }), TEXT.sending);
  transcript.append(progress);
  progress.scrollIntoView({ block: "end" });
  let arrived = null;
  try {
    const created = !sessionId;
    await ensureSession();
    if (created) firstMessages.set(sessionId, text);
    await serial(async () => {
      const turn = await api("POST", `/api/sessions/${sessionId}/messages`, { text, locale: pageLocale },
        { "Idempotency-Key": key });
      progress.remove();
      arrived = turn.locale && turn.locale !== pageLocale && TEXTS[turn.locale]
        ? await adoptTurnLocale(turn, text)
        : null;
      if (!arrived) {
        highlight(bubble, text, turn.spans);
        arrived = renderTurn(turn);
      }
    });
    refreshOrders();
    refreshConversations().catch(() => {});
  } catch (error) {
    progress.remove();
    if (error.code === "disclosure_required") {
      // (a newer version came into force since the page loaded)
      say("assistant notice", TEXT.disclosureFirst);
      await checkDisclosure().catch(() => {});
      return;
    }
    if (error.code === "duplicate_message") {
      // The first try reached the server (its answer was lost): show what it made of it.
      await showSession(sessionId).catch(() => {});
      refreshOrders();
      return;
    }
    const failed = say("assistant error", error.unreachable ? TEXT.unreachable : TEXT.sorry(error.message));
    if (error.unreachable) {
      const retry = el("button", { class: "retry", type: "button", "aria-label": TEXT.retryMessageLabel(text) }, TEXT.retry);
      retry.addEventListener("click", () => {
        if (inFlight) return;
        failed.remove();
        send(text, bubble, key);
      });
      failed.append(" ", retry);
      arrived = retry;
    }
  } finally {
    progress.remove();
    setSending(false);
  }
  if (relabelWanted) {
    // The language was switched while the message was on its way: shown again now.
    relabelWanted = false;
    await relabelContent();
    arrived = null;
  }
  if (arrived) focusCard(arrived);
  else input.focus();
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  if (inFlight) return;
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send(text, say("customer", text));
});

// Balances, orders and the conversations are a drawer on narrow screens (the toggle is
// hidden on wide ones).
const drawerToggle = document.getElementById("balances-toggle");
const sidePanel = document.getElementById("side-panel");
function setDrawer(open) {
  drawerToggle.setAttribute("aria-expanded", String(open));
  sidePanel.classList.toggle("is-open", open);
}
drawerToggle?.addEventListener("click", () => setDrawer(drawerToggle.getAttribute("aria-expanded") !== "true"));
if (drawerToggle) drawerToggle.disabled = false;
// On a phone, what the customer chose in the drawer is in the conversation below it.
function closeDrawerOnPhone() {
  if (drawerToggle && getComputedStyle(drawerToggle).display !== "none") setDrawer(false);
}

// A session is opened on the customer's first message, never just by visiting the page.
let opening = null;
function ensureSession() {
  if (sessionId) return Promise.resolve(sessionId);
  if (!opening) {
    opening = api("POST", "/api/sessions").then((created) => {
      setSession(created.id);
      followSession(created.id, 0); // the new session's one entry: its opening
      return sessionId;
    }).finally(() => { opening = null; });
  }
  return opening;
}

// The conversation this tab shows, kept across a reload: a mandate's order or a stop
// written into another conversation makes that one newer, but the page continues this one.
const SHOWN_KEY = "tradeassist.shown-session";
function setSession(id) {
  sessionId = id;
  if (id) document.body.dataset.sessionId = id;
  else delete document.body.dataset.sessionId;
  try {
    if (id) sessionStorage.setItem(SHOWN_KEY, id);
    else sessionStorage.removeItem(SHOWN_KEY);
  } catch (e) { /* not kept: the newest is continued */ }
  for (const button of document.querySelectorAll("#conversation-list button")) {
    if (button.dataset.sessionId === id) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

// Everything the page keeps about the conversation shown, back to a clean slate.
function resetConversation() {
  transcript.replaceChildren();
  shownReplies.clear();
  stepNumbers.clear();
  mandateLevels.clear();
  for (const key of Object.keys(childrenByParent)) delete childrenByParent[key];
  countdowns.clear();
  stepViews.clear();
  followSession(null);
}

// Which reply showed which plan: the plans are numbered in the order they were made, one
// per reply that presented one (the reply right after the customer's message).
const PLAN_REPLY = /Here is the plan \(\d+ steps?\)/;
function planReplies(lines) {
  const found = [];
  lines.forEach((line, i) => {
    if (line.role === "assistant" && i > 0 && lines[i - 1].role === "customer" && PLAN_REPLY.test(line.text)) {
      found.push(i);
    }
  });
  return found;
}

// A step as the journal has it now, as its card: a pending one with Confirm and its
// countdown while this tab still holds a valid token, or Refresh quote.
function restoredCard(step) {
  if (!step.preview) {
    const card = el("div", { class: "plan-step", "data-step-id": step.step_id, "data-state": step.state },
      el("h3", {}, step.description), el("p", { class: "step-status muted" }, TEXT.stateLine(stateWord(step.state), "")));
    return card;
  }
  if (step.state === "awaiting_confirmation") {
    const kept = keptTokens.recall(sessionId, step.step_id);
    const valid = kept && kept.preview_hash === step.preview_hash && kept.expires_ms > Date.now() + clockSkewMs;
    if (!valid) keptTokens.forget(sessionId, step.step_id);
    return stepCard(step, step.preview, valid ? kept : { step_id: step.step_id, token: null, expires_ms: 0, summary: "" });
  }
  const card = stepCard(step, step.preview, null);
  card.dataset.state = step.state;
  if (step.kind === "mandate" || step.kind === "stop_mandate") return card;
  const status = card.querySelector(".step-status");
  if (step.state === "rejected") {
    status.textContent = TEXT.rejected;
  } else if (!["planned", "waiting", "blocked", "skipped"].includes(step.state)) {
    showStepResult(status, step);
  }
  return card;
}

function restoredPlan(plan, steps) {
  const card = el("div", { class: "plan-card" });
  for (const note of plan.notes || []) card.append(el("p", { class: "note" }, note));
  plan.steps.forEach((step, i) => stepNumbers.set(step.step_id, i + 1));
  rememberLevels(plan.steps.map((planned) => (steps.get(planned.step_id) || {}).preview));
  card.append(...plan.steps.map((planned) => restoredCard(steps.get(planned.step_id) || { ...planned, state: "planned" })));
  return card;
}

// Show a conversation as it stands: its transcript, and its plans under the replies that
// presented them; it becomes the one the customer writes in.
async function showSession(id) {
  const session = await api("GET", `/api/sessions/${id}`);
  resetConversation();
  setSession(id);
  say("assistant", TEXT.hello, false);
  for (const step of session.steps) {
    if (step.parent) (childrenByParent[step.parent] ||= []).push(step);
    rememberStep(step);
  }
  const steps = new Map(session.steps.map((step) => [step.step_id, step]));
  // Each reply names the plan it presented (plan_id); replies journaled before that was
  // kept are matched by their wording, in order.
  const plansById = new Map(session.plans.map((plan) => [plan.plan_id, plan]));
  const unnamed = session.plans.filter((plan) => !session.transcript.some((line) => line.plan_id === plan.plan_id));
  const replies = planReplies(session.transcript.map((line) => (line.plan_id ? { ...line, role: "named" } : line)));
  const placed = new Set();
  let last = null;
  session.transcript.forEach((line, i) => {
    last = say(line.role, line.text, false);
    const at = replies.indexOf(i);
    const plan = line.plan_id ? plansById.get(line.plan_id) : at >= 0 ? unnamed[at] : undefined;
    if (plan && !placed.has(plan.plan_id)) {
      last.append(restoredPlan(plan, steps));
      placed.add(plan.plan_id);
    }
  });
  for (const plan of session.plans.filter((p) => !placed.has(p.plan_id))) (last || transcript.lastElementChild).append(restoredPlan(plan, steps));
  const first = session.transcript.find((line) => line.role === "customer");
  firstMessages.set(id, first ? first.text : "");
  showConversationLabel(id);
  renderBalances(session);
  transcript.lastElementChild?.scrollIntoView({ block: "end" });
  followSession(id, session.seq); // what changes from here on is pushed
}

function showEmptyConversation() {
  resetConversation();
  setSession(null);
  say("assistant", TEXT.hello);
}

// --- Earlier conversations: listed at once; each one's first message is fetched only when
// the list is opened (GET /api/sessions/{id} per conversation, one at a time).
let conversations = [];
const firstMessages = new Map(); // session id -> its first customer message ("" if none)
const conversationList = document.getElementById("conversation-list");
const conversationsBox = document.getElementById("conversations");

async function refreshConversations() {
  conversations = (await api("GET", "/api/sessions")).sessions;
  renderConversations();
  return conversations;
}

function conversationLabel(listed) {
  if (listed.events <= 1) return TEXT.emptyConversation; // opened, nothing said
  if (!firstMessages.has(listed.id)) return TEXT.unknownConversation;
  return firstMessages.get(listed.id) || TEXT.emptyConversation;
}

function renderConversations() {
  conversationsBox.querySelector("summary").textContent = TEXT.conversations(conversations.length);
  conversationList.replaceChildren(...conversations.map((listed) => {
    const button = el("button", { type: "button", class: "conversation", "data-session-id": listed.id },
      el("time", { datetime: new Date(listed.last_ms).toISOString() }, when(listed.last_ms)),
      el("span", { class: "first-message" }, conversationLabel(listed)));
    if (listed.id === sessionId) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => openConversation(listed.id));
    return el("li", {}, button);
  }));
  if (conversationsBox.open) fetchLabels();
}

function showConversationLabel(id) {
  const listed = conversations.find((c) => c.id === id);
  const span = conversationList.querySelector(`button[data-session-id="${id}"] .first-message`);
  if (listed && span) span.textContent = conversationLabel(listed);
}

let fetchingLabels = false;
async function fetchLabels() {
  if (fetchingLabels) return;
  fetchingLabels = true;
  try {
    for (const listed of conversations) {
      if (listed.events <= 1 || firstMessages.has(listed.id)) continue;
      const session = await api("GET", `/api/sessions/${listed.id}`).catch(() => null);
      if (!session) break;
      const first = session.transcript.find((line) => line.role === "customer");
      firstMessages.set(listed.id, first ? first.text : "");
      showConversationLabel(listed.id);
    }
  } finally {
    fetchingLabels = false;
  }
}
conversationsBox.addEventListener("toggle", () => { if (conversationsBox.open) fetchLabels(); });

async function openConversation(id) {
  if (inFlight) return;
  try {
    await serial(() => showSession(id));
    closeDrawerOnPhone();
    input.focus();
  } catch (error) {
    say("assistant error", error.unreachable ? TEXT.openFailed : TEXT.sorry(error.message));
  }
}

const newConversation = document.getElementById("new-conversation");
newConversation.addEventListener("click", async () => {
  if (inFlight) return;
  await serial(async () => showEmptyConversation());
  closeDrawerOnPhone();
  input.focus();
});

// --- Orders & plans: what the customer has working, across all their sessions.
const ordersBody = document.getElementById("orders-body");
const ordersStatus = document.getElementById("orders-status");
let ordersAsked = 0;
// Each call asks afresh; an answer older than one already shown is dropped.
function refreshOrders() {
  const asked = ++ordersAsked;
  return api("GET", `/api/orders?locale=${encodeURIComponent(pageLocale)}`).then((overview) => {
    if (asked === ordersAsked) renderOrders(overview);
  }).catch((error) => {
    if (asked === ordersAsked && error.unreachable) ordersStatus.textContent = TEXT.ordersUnavailable;
  });
}

function sideWord(side) {
  return TEXT.sides[side] || side;
}

function stateWord(state) {
  return TEXT.states[state] || state;
}

// One order or fill: what and how much on the first line, the figures on the second.
// (The separators are for screen readers; the layout spaces the parts.)
function orderLine(head, ...facts) {
  const spaced = facts.flatMap((f, i) => (i ? [el("span", { class: "visually-hidden" }, "; "), f] : [f]));
  return el("li", {}, el("span", { class: "order-head" }, head), " ", el("span", { class: "order-facts" }, ...spaced));
}

function fact(label, value) {
  return el("span", { class: "fact" }, el("span", { class: "fact-label" }, `${label} `), value);
}

// A decimal from the API without trailing zeros ("2.0" -> "2", "0.000300" -> "0.0003").
// Numbers, formatted in one place: thousands separators; fiat and stablecoin values to 2
// decimals; other amounts up to 8 decimals without trailing noise; prices at least 2
// decimals. Never exponent notation ("0E-9" is 0).
const CASH = new Set(["USD", "USDT", "USDC", "FDUSD", "TUSD", "DAI", "HKD", "EUR", "GBP"]);
function num(value, min, max) {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return n.toLocaleString("en-US", { minimumFractionDigits: min, maximumFractionDigits: max });
}
function money(value, currency) {
  return CASH.has(currency) ? num(value, 2, 2) : num(value, 0, 8);
}
function price(value) {
  return num(value, 2, 8);
}
function plain(value) {
  return num(value, 0, 8);
}

let lastOverview = null; // re-rendered as it is when the language changes
function renderOrders(overview) {
  lastOverview = overview;
  if (ordersStatus.textContent === TEXT.ordersUnavailable) ordersStatus.textContent = "";
  const c = TEXT.columns;
  const standing = overview.mandates.length
    ? el("ul", { class: "standing-list" }, ...overview.mandates.map(standingItem))
    : el("p", { class: "muted empty" }, TEXT.noStandingOrders);
  const open = overview.orders.length
    ? el("ul", { class: "order-list" }, ...overview.orders.map((o) => {
      const line = orderLine(`${sideWord(o.side)} ${plain(o.amount)} ${o.symbol}`,
        fact(c.price, o.price === null ? TEXT.market : price(o.price)), fact(c.filled, plain(o.filled)));
      line.dataset.stepId = o.step_id;
      return line;
    }))
    : el("p", { class: "muted empty" }, TEXT.noOpenOrders);
  const fills = overview.fills.length
    ? el("ul", { class: "order-list" }, ...overview.fills.map((f) => {
      const line = orderLine(`${sideWord(f.side)} ${plain(f.amount)} ${f.symbol}`,
        fact(c.average, f.average === null ? "–" : price(f.average)),
        el("time", { class: "fact", datetime: new Date(f.ts_ms).toISOString() }, shortWhen(f.ts_ms)),
        ...(f.order_id ? [el("a", { class: "fact contract-note-link", href: `/api/contract-notes/${encodeURIComponent(f.order_id)}?format=html`, target: "_blank", rel: "noopener" }, TEXT.contractNote)] : []));
      line.dataset.stepId = f.step_id;
      return line;
    }))
    : el("p", { class: "muted empty" }, TEXT.noFills);
  ordersBody.replaceChildren(
    el("section", { id: "standing-orders", "aria-labelledby": "standing-title" },
      el("h3", { id: "standing-title" }, TEXT.standingOrders), standing),
    el("section", { id: "open-orders", "aria-labelledby": "open-title" },
      el("h3", { id: "open-title" }, TEXT.openOrders), open),
    el("section", { id: "recent-fills", "aria-labelledby": "fills-title" },
      el("h3", { id: "fills-title" }, TEXT.recentFills), fills),
  );
}

// The server's terms sentence names its end in UTC (an ISO time, or "2026-02-05 00:00 UTC"
// as execution/i18n/numbers.moment writes it): shown in local time here, as the next run is.
function localTimes(text) {
  return text.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z| UTC)/g,
    (utc) => when(Date.parse(utc.replace(" UTC", "Z").replace(" ", "T"))));
}

function shortWhen(ms) {
  return new Date(ms).toLocaleString(INTL_LOCALES[pageLocale], { dateStyle: "short", timeStyle: "short" });
}

function standingItem(m) {
  const item = el("li", { class: `standing ${m.state}`, "data-session-id": m.session_id,
    "data-step-id": m.step_id, "data-state": m.state });
  const state = m.state === "armed" ? TEXT.active : m.state === "paused" ? TEXT.paused(m.reason) : TEXT.awaiting;
  const facts = [TEXT.placed(m.orders_placed, m.orders_total)];
  if (m.next_run_ms) facts.push(TEXT.nextRun(when(m.next_run_ms)));
  item.append(
    el("p", { class: "standing-title" }, m.description),
    el("p", { class: "terms" }, localTimes(m.terms)),
    el("p", { class: "standing-state" }, el("span", { class: `state-word ${m.state}` }, state), ` · ${facts.join(" · ")}`),
  );
  const bar = el("div", { class: "actions" });
  if (m.state === "paused") {
    const resume = el("button", { class: "panel-resume", type: "button", "aria-label": TEXT.resumeLabel(m.description) }, TEXT.resume);
    resume.addEventListener("click", () => resumeStanding(m, item, resume));
    bar.append(resume);
  }
  if (m.state === "awaiting_confirmation") {
    const show = el("button", { class: "panel-show reject", type: "button", "aria-label": TEXT.showLabel(m.description) }, TEXT.show);
    show.addEventListener("click", () => showStep(m.session_id, m.step_id));
    bar.append(show);
  } else {
    const stop = el("button", { class: "panel-stop reject", type: "button", "aria-label": TEXT.stopLabel(m.description) }, TEXT.stop);
    stop.addEventListener("click", () => askStop(m, item, bar));
    bar.append(stop);
  }
  item.append(bar);
  return item;
}

// Stop asks once more in the item itself; only "Yes, stop it" rejects the mandate.
function askStop(m, item, bar) {
  const question = el("p", { class: "stop-question", id: `stop-q-${m.session_id}-${m.step_id}` }, TEXT.stopQuestion);
  const yes = el("button", { class: "panel-stop-yes", type: "button" }, TEXT.stopYes);
  const no = el("button", { class: "panel-stop-no reject", type: "button" }, TEXT.stopNo);
  const ask = el("div", { class: "stop-ask", role: "group", "aria-labelledby": question.id }, question,
    el("div", { class: "actions" }, yes, no));
  bar.replaceWith(ask);
  yes.focus();
  no.addEventListener("click", () => {
    ask.replaceWith(bar);
    bar.querySelector(".panel-stop")?.focus();
  });
  yes.addEventListener("click", async () => {
    yes.disabled = no.disabled = true;
    try {
      const result = await api("POST", `/api/sessions/${m.session_id}/steps/${m.step_id}/reject`);
      ordersStatus.textContent = TEXT.stopped(m.description);
      if (m.session_id === sessionId) showNext(result.next); // the stream moves its card
      await refreshOrders();
      document.getElementById("orders-title").focus();
    } catch (error) {
      yes.disabled = no.disabled = false;
      ordersStatus.textContent = error.unreachable ? TEXT.unreachableStop : TEXT.stopFailed(error.message);
      refreshOrders();
    }
  });
}

// Resume previews the paused mandate again and shows that preview in its conversation,
// to be confirmed like any step.
async function resumeStanding(m, item, button) {
  if (inFlight) return;
  button.disabled = true;
  try {
    const fresh = await api("POST", `/api/sessions/${m.session_id}/steps/${m.step_id}/preview`);
    if (fresh.pending) keptTokens.keep(m.session_id, fresh.pending);
    await serial(async () => {
      if (m.session_id !== sessionId) await showSession(m.session_id);
      const old = transcript.querySelector(`.plan-step[data-step-id="${m.step_id}"]`);
      const card = old && old.querySelector("button.confirm") ? old : stepCard(fresh.step, fresh.step.preview, fresh.pending);
      if (!old) say("assistant", TEXT.resumeHere).append(el("div", { class: "plan-card" }, card));
      else if (old !== card) old.replaceWith(card);
      closeDrawerOnPhone();
      focusCard(card);
    });
    refreshOrders();
  } catch (error) {
    button.disabled = false;
    ordersStatus.textContent = error.unreachable ? TEXT.unreachable : TEXT.resumeFailed(error.message);
  }
}

// A step in its conversation, opened if need be (the panel's Show).
async function showStep(sid, stepId) {
  if (inFlight) return;
  try {
    if (sid !== sessionId) await serial(() => showSession(sid));
    closeDrawerOnPhone();
    const card = transcript.querySelector(`.plan-step[data-step-id="${stepId}"]`);
    if (card) focusCard(card);
  } catch (error) {
    ordersStatus.textContent = error.unreachable ? TEXT.openFailed : TEXT.sorry(error.message);
  }
}

// --- The risk disclosure: before the customer's first message, in the page's language; the
// server records the acknowledgement (per customer) and refuses messages until then.
let disclosure = null; // GET /api/disclosures/risk's answer
function disclosureAcknowledged() {
  return !!(disclosure && disclosure.acknowledged);
}
async function checkDisclosure() {
  disclosure = await api("GET", `/api/disclosures/risk?locale=${encodeURIComponent(pageLocale)}`);
  document.body.dataset.disclosure = disclosure.acknowledged ? "acknowledged" : "required";
  if (!disclosure.acknowledged) showDisclosure();
}
// A modal dialog: the page behind it is inert (the message box too) until "I understand";
// Escape does not dismiss it.
function showDisclosure() {
  document.getElementById("risk-disclosure")?.remove();
  const shown = disclosure;
  input.disabled = sendButton.disabled = true;
  const problem = el("p", { class: "risk-problem error", role: "alert" });
  const understand = el("button", { type: "button", class: "risk-ack" }, shown.acknowledge);
  const dialog = el("dialog", { id: "risk-disclosure", class: "risk-disclosure", "aria-labelledby": "risk-title",
    "aria-describedby": "risk-text", "data-version": shown.version, lang: shown.locale },
  el("h2", { id: "risk-title" }, shown.title),
  el("div", { id: "risk-text" }, ...shown.paragraphs.map((line) => el("p", {}, line))),
  problem, el("div", { class: "actions" }, understand));
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  understand.addEventListener("click", async () => {
    understand.disabled = true;
    problem.textContent = "";
    try {
      await api("POST", "/api/disclosures/risk/ack", { version: shown.version, locale: shown.locale, text: shown.text });
      disclosure = { ...shown, acknowledged: true };
      document.body.dataset.disclosure = "acknowledged";
      dialog.close();
      dialog.remove();
      input.disabled = sendButton.disabled = inFlight;
      input.focus();
    } catch (error) {
      understand.disabled = false;
      if (error.code === "disclosure_stale" || error.code === "disclosure_mismatch") {
        await checkDisclosure().catch(() => {}); // the wording changed meanwhile: the new one
        return;
      }
      problem.textContent = error.unreachable ? TEXT.disclosureUnreachable : TEXT.disclosureNotRecorded(error.message);
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  understand.focus();
}

// On load: the balances, the conversations, and the one this tab showed (else the newest)
// continued (or a greeting,
// the session opened on the first message); then the orders panel.
async function start() {
  try {
    const [listed] = await Promise.all([refreshConversations(), refreshBalances(), checkDisclosure()]);
    let shown = null;
    try { shown = sessionStorage.getItem(SHOWN_KEY); } catch (e) { /* none kept */ }
    const continued = listed.find((s) => s.id === shown) || listed[0];
    if (continued) await serial(() => showSession(continued.id));
    else await serial(async () => showEmptyConversation());
    document.body.dataset.ready = "true";
  } catch (error) {
    resetConversation();
    const failed = say("assistant error", error.unreachable ? TEXT.startFailed : TEXT.sorry(error.message));
    const retry = el("button", { class: "retry", type: "button" }, TEXT.retry);
    retry.addEventListener("click", () => { failed.remove(); start(); });
    failed.append(" ", retry);
  }
  followOrders(); // its first event fetches the panel
}

// --- The language: EN / 简 / 繁 in the header, and the language of the customer's message.
// Each is a link (?lang=, which the server remembers in the `lang` cookie) that works
// without script; here it switches in place and keeps the conversation.
function setLocale(locale) {
  if (!TEXTS[locale] || locale === pageLocale) return false;
  pageLocale = locale;
  TEXT = TEXTS[locale];
  document.documentElement.lang = locale;
  document.cookie = `lang=${locale}; path=/; max-age=31536000; samesite=lax`;
  labelPage();
  document.getElementById("assistant-role").textContent = TEXT.assistantRole;
  // the risk disclosure, if still to be acknowledged, is shown again in the new language
  if (disclosure && !disclosure.acknowledged) checkDisclosure().catch(() => {});
  return true;
}

// The templates' words (marked data-text, data-text-aria-label, data-text-placeholder).
function labelPage() {
  const words = PAGE_TEXT[pageLocale];
  const word = (key) => key.split(".").reduce((found, part) => (found == null ? found : found[part]), words);
  for (const node of document.querySelectorAll("[data-text]")) {
    const value = word(node.dataset.text);
    if (typeof value === "string") node.textContent = value;
  }
  for (const node of document.querySelectorAll("[data-text-aria-label]")) {
    node.setAttribute("aria-label", word(node.dataset.textAriaLabel));
  }
  for (const node of document.querySelectorAll("[data-text-placeholder]")) {
    node.placeholder = word(node.dataset.textPlaceholder);
  }
  document.title = words.chat_title;
  for (const link of document.querySelectorAll("#language-switch a[data-locale]")) {
    if (link.dataset.locale === pageLocale) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
}

// What the script wrote, written again in the new language: the lists, the orders panel,
// and the conversation (as the server has it; tokens this tab holds keep their Confirm).
let relabelWanted = false;
async function relabelContent() {
  renderConversations();
  if (lastOverview) renderOrders(lastOverview);
  refreshOrders(); // the standing orders' terms, in the new language
  if (inFlight) {
    relabelWanted = true; // after the message on its way (send shows it again)
    return;
  }
  try {
    await serial(() => (sessionId ? showSession(sessionId) : showEmptyConversation()));
  } catch (error) {
    say("assistant error", error.unreachable ? TEXT.openFailed : TEXT.sorry(error.message));
  }
}

// A reply in another language than the page's (the customer wrote in it): the page takes
// that language and shows the conversation again in it, this turn included. The card to
// read first, or null when the conversation could not be fetched (the turn is then shown
// as it is).
async function adoptTurnLocale(turn, text) {
  for (const pending of turn.pending || []) {
    if (pending.token) keptTokens.keep(sessionId, pending);
  }
  setLocale(turn.locale);
  renderConversations();
  if (lastOverview) renderOrders(lastOverview);
  refreshOrders(); // the standing orders' terms, in the new language
  try {
    await showSession(sessionId);
  } catch (error) {
    return null;
  }
  const customer = [...transcript.querySelectorAll(".bubble.customer")].pop();
  if (customer && customer.textContent === text) highlight(customer, text, turn.spans);
  const cards = (turn.plan ? turn.plan.steps : [])
    .map((step) => transcript.querySelector(`.plan-step[data-step-id="${step.step_id}"]`))
    .filter(Boolean);
  return cards.find((c) => c.querySelector("button.confirm")) || cards[0] || transcript.lastElementChild;
}

for (const link of document.querySelectorAll("#language-switch a[data-locale]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    if (setLocale(link.dataset.locale)) relabelContent();
  });
}
// Arrived by a switch link (?lang=): the address without it, so a reload keeps the choice
// the cookie now holds.
if (new URLSearchParams(location.search).has("lang")) history.replaceState(null, "", location.pathname);

for (const control of document.querySelectorAll("#composer input, #composer button, #new-conversation")) {
  control.disabled = false;
}
document.getElementById("assistant-role").textContent = TEXT.assistantRole;
start();
