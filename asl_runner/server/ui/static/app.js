// The asl-runner web view: one page, no build step, nothing loaded from elsewhere.
// Reads go to the Step Functions API itself (POST / with X-Amz-Target, as boto3 sends them);
// what that API cannot say comes from /ui/api/ (tasks waiting, correlation ids, the graph).
// Writes (Approve, Reject, Redrive) go to /ui/api/write, which the server refuses unless it was
// started with --ui-writes.
"use strict";

const TARGET = "AWSStepFunctions.";
const JSON10 = "application/x-amz-json-1.0";
const PAGE = 1000;            // ListExecutions / GetExecutionHistory page size (AWS's maximum)
const POLL_MS = 1000;         // how often a running execution and the inbox are read again
const ROW = 26;               // height of a row in the long lists (events, timeline)
const INBOX_CARDS = 100;      // answer forms shown at once in the inbox
const TASK_ROWS = 200;        // rows of the inbox's tasks-in-progress table

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(code, message) { super(`${code}: ${message}`); this.code = code; }
}

async function post(path, operation, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": JSON10, "X-Amz-Target": TARGET + operation},
    body: JSON.stringify(body || {}),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const code = String(data.__type || response.status).split("#").pop();
    throw new ApiError(code, data.message || data.Message || "");
  }
  return data;
}

const sfn = (operation, body) => post("/", operation, body);
const write = (operation, body) => post("/ui/api/write", operation, body);

async function getJSON(path) {
  const response = await fetch(path);
  const data = await response.json();
  if (!response.ok) throw new ApiError(String(data.__type).split("#").pop(), data.message);
  return data;
}

// Every page of a listing: ``key`` is the list's name in the response.
async function all(operation, body, key, limit = Infinity) {
  const items = [];
  let token;
  do {
    const page = await sfn(operation, {...body, nextToken: token});
    items.push(...page[key]);
    token = page.nextToken;
  } while (token && items.length < limit);
  return items;
}

// ---------------------------------------------------------------- small helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const fmtTime = (t) => t ? new Date(t * 1000).toLocaleString() : "";
const shortArn = (arn) => arn ? arn.split(":").slice(-1)[0] : "";
const machineName = (arn) => arn ? arn.split(":")[6] : "";

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || isNaN(seconds)) return "";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${Math.round(seconds % 60)} s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.round(seconds % 3600 / 60)} m`;
  return `${Math.floor(seconds / 86400)} d ${Math.round(seconds % 86400 / 3600)} h`;
}

// JSON text from the history, pretty-printed (or as it is when it is not JSON).
function pretty(text) {
  if (text === undefined || text === null) return "";
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

const status = (value) => h("span", {class: `status ${value}`}, String(value).replace("_", " "));

function toast(message, error = false) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = error ? "error" : "";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, error ? 8000 : 3000);
}

function download(name, value) {
  const blob = new Blob([JSON.stringify(value, null, 2)], {type: "application/json"});
  const a = h("a", {href: URL.createObjectURL(blob), download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// A performance mark once what is drawn now is on the screen (the frame after it), for
// bench/ui_first_paint.py.
function markPainted(name) {
  requestAnimationFrame(() => setTimeout(() => performance.mark(name), 0));
}

// A list that renders only the rows in view: 10,000 events cost 30 rows of DOM.
class VirtualList {
  constructor(className, height, renderRow, onSelect) {
    this.renderRow = renderRow;
    this.onSelect = onSelect;
    this.items = [];
    this.selected = -1;
    this.maxHeight = height;
    this.el = h("div", {class: `vlist ${className}`, style: `height:${height}px`, tabindex: "0"});
    this.spacer = h("div", {class: "spacer"});
    this.el.append(this.spacer);
    this.el.addEventListener("scroll", () => this.draw());
    this.el.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        this.select(Math.max(0, Math.min(this.items.length - 1, this.selected + (event.key === "ArrowDown" ? 1 : -1))));
      }
    });
  }
  setItems(items) {
    this.items = items;
    this.spacer.style.height = `${items.length * ROW}px`;
    this.el.style.height = `${Math.min(this.maxHeight, Math.max(items.length, 3) * ROW + 2)}px`;
    this.draw();
  }
  select(index) {
    this.selected = index;
    const top = index * ROW;
    if (top < this.el.scrollTop || top > this.el.scrollTop + this.el.clientHeight - ROW) this.el.scrollTop = top - ROW * 2;
    this.draw();
    if (this.onSelect && index >= 0) this.onSelect(this.items[index], index);
  }
  draw() {
    const first = Math.max(0, Math.floor(this.el.scrollTop / ROW) - 5);
    const last = Math.min(this.items.length, first + Math.ceil((this.el.clientHeight || 600) / ROW) + 10);
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = this.renderRow(this.items[i], i);
      row.classList.add("vrow");
      if (i === this.selected) row.classList.add("selected");
      row.style.top = `${i * ROW}px`;
      row.addEventListener("click", () => this.select(i));
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }
}

// ---------------------------------------------------------------- settings

const settings = {writes: false, slaSeconds: null, now: 0, clockOffset: 0};

function sla() {
  const stored = localStorage.getItem("asl-runner.sla");
  if (stored !== null) return stored === "" ? null : Number(stored);
  return settings.slaSeconds;
}

// The server's clock (a virtual clock may run ahead of this machine's).
const serverNow = () => Date.now() / 1000 + settings.clockOffset;

async function loadSettings() {
  const config = await getJSON("/ui/api/config");
  Object.assign(settings, config);
  settings.clockOffset = config.now - Date.now() / 1000;
  const mode = document.getElementById("mode");
  mode.textContent = config.writes ? "writes on" : "read-only";
  mode.classList.toggle("writes", config.writes);
  mode.title = config.writes ? "Approve and Reject answer tasks" : "Start serve with --ui-writes to answer tasks here";
  const input = document.getElementById("sla");
  input.value = sla() || "";
  input.addEventListener("change", () => {
    localStorage.setItem("asl-runner.sla", input.value);
    render();
  });
}

// ---------------------------------------------------------------- the history, understood

const FAMILY_SCHEDULED = /^(Task|LambdaFunction|Activity)Scheduled$/;
const FAMILY_ENDED = /^(Task|LambdaFunction|Activity)(Succeeded|Failed|TimedOut|StartFailed|SubmitFailed|ScheduleFailed)$/;
const EXECUTION_ENDED = /^Execution(Succeeded|Failed|TimedOut|Aborted)$/;

const details = (event) => {
  for (const key in event) if (key.endsWith("EventDetails")) return event[key];
  return {};
};

// Where each state of a definition lives: the Parallel branch (index) or Map it belongs to.
function indexDefinition(definition) {
  const states = new Map();
  const walk = (machine, parent) => {
    for (const [name, state] of Object.entries(machine.States || {})) {
      states.set(name, {...parent, state});
      (state.Branches || []).forEach((branch, index) => walk(branch, {owner: name, branch: index}));
      const processor = state.ItemProcessor || state.Iterator;
      if (processor) walk(processor, {owner: name});
    }
  };
  walk(definition, {});
  return states;
}

// Runs of states from the events: each StateEntered opens a run; its previousEventId chain
// says which run it belongs to (a Map's iteration, a Parallel's branch). Incremental: new
// events extend the same analysis while an execution runs.
class Analysis {
  constructor(definitionIndex) {
    this.index = definitionIndex;
    this.events = [];
    this.byId = new Map();
    this.runOf = new Map();      // event id -> the run it is part of
    this.iterOf = new Map();     // event id -> {mapName: {index, map: entered id}}
    this.runs = [];
    this.roots = [];
    this.ended = null;           // the Execution{Succeeded,Failed,...} event
  }
  get start() { return this.events.length ? this.events[0]._t : 0; }

  add(events) {
    for (const event of events) {
      if (this.byId.has(event.id)) continue;
      this.events.push(event);
      this.byId.set(event.id, event);
      this._place(event);
    }
  }

  _place(event) {
    const d = details(event);
    const prev = this.byId.get(event.previousEventId);
    // the API's JSON 1.0 protocol sends epoch seconds; an exported history may have ISO text
    const t = typeof event.timestamp === "number" ? event.timestamp : Date.parse(event.timestamp) / 1000;
    event._t = t;
    let iter = prev ? this.iterOf.get(prev.id) : undefined;
    if (event.type === "MapStateEntered") iter = {...iter, ["@" + d.name]: event.id};
    if (event.type === "MapIterationStarted") iter = {...iter, [d.name]: {index: d.index, map: (iter || {})["@" + d.name]}};
    this.iterOf.set(event.id, iter);
    // after a state exits, what follows belongs to the run around it
    let current = prev ? this.runOf.get(prev.id) : null;
    if (prev && prev.type.endsWith("StateExited") && current) current = current.parent;
    if (event.type.endsWith("StateEntered")) {
      const info = this.index.get(d.name) || {};
      const run = {name: d.name, type: event.type.slice(0, -"StateEntered".length), entered: event,
                   parent: current || null, children: [], attempts: [], start: t, end: null,
                   status: "running", input: d.input, output: undefined, failure: null,
                   state: info.state || {}, branch: info.branch, iteration: null, iterations: new Map()};
      if (run.parent && run.parent.type === "Map" && iter && iter[run.parent.name]) run.iteration = iter[run.parent.name].index;
      (run.parent ? run.parent.children : this.roots).push(run);
      this.runs.push(run);
      this.runOf.set(event.id, run);
      return;
    }
    if (event.type === "ExecutionRedriven") {
      // what runs again starts afresh (a state re-entered inside a branch shows at the top)
      this.ended = null;
      this.runOf.set(event.id, null);
      this.redriven = (this.redriven || 0) + 1;
      // the runs that failed or were stopped give way to their state's runs after the redrive
      for (const earlier of this.runs) {
        if (earlier.status === "failed" || earlier.status === "aborted") earlier.redriven = true;
      }
      return;
    }
    this.runOf.set(event.id, current);
    const run = current;
    if (EXECUTION_ENDED.test(event.type)) {
      // a state still open failed (the one the end points at, or one whose error went
      // uncaught) or was stopped with the execution, as asl_runner.graph reads it
      this.ended = event;
      for (const open of this.runs) {
        if (open.end !== null) continue;
        const endedHere = open === current || (event.type === "ExecutionFailed" && open.failure);
        open.end = t;
        open.status = endedHere && event.type !== "ExecutionAborted" ? "failed" : "aborted";
      }
      return;
    }
    if (!run) return;
    if (FAMILY_SCHEDULED.test(event.type)) {
      run.attempts.push({start: t, end: null, status: "running", scheduled: event, parameters: d.parameters !== undefined ? d.parameters : d.input,
                         resource: d.resourceType ? `${d.resourceType}:${d.resource}` : d.resource});
    } else if (FAMILY_ENDED.test(event.type)) {
      const attempt = run.attempts[run.attempts.length - 1];
      const ok = event.type.endsWith("Succeeded");
      if (attempt) { attempt.end = t; attempt.status = ok ? "succeeded" : "failed"; attempt.result = d.output; attempt.error = d.error; attempt.cause = d.cause; }
      // a retry that succeeds leaves the run succeeded (retried), not caught
      run.failure = ok ? null : {error: d.error, cause: d.cause, event};
    } else if (event.type === "MapRunStarted" || event.type === "MapRunRedriven") {  // a redrive goes on in the same Map Run
      run.mapRunArn = d.mapRunArn;
    } else if (/^(Map|Parallel)State(Failed|Aborted)$/.test(event.type) || event.type === "MapRunFailed") {
      run.failure = run.failure || {error: d.error, cause: d.cause, event};
    } else if (/^MapIteration(Started|Succeeded|Failed|Aborted)$/.test(event.type)) {
      const key = d.index;
      const iteration = run.iterations.get(key) || {index: key, start: t, end: null, status: "running"};
      if (!event.type.endsWith("Started")) { iteration.end = t; iteration.status = event.type.slice("MapIteration".length).toLowerCase(); }
      run.iterations.set(key, iteration);
    } else if (event.type.endsWith("StateExited")) {
      run.end = t;
      run.output = d.output;
      run.assigned = d.assignedVariables;
      run.exited = event;
      run.status = run.failure ? "caught" : (run.attempts.length > 1 ? "retried" : "succeeded");
    } else if (event.type === "ExecutionFailed" || event.type.endsWith("StateFailed")) {
      run.failure = {error: d.error, cause: d.cause, event};
    }
  }

  // The runs of a state whose last run failed are failed; the most telling status wins.
  stateStatuses() {
    const rank = {running: 6, failed: 5, aborted: 4, caught: 3, retried: 2, succeeded: 1};
    const out = new Map();
    const rerun = new Set(this.runs.filter((run) => !run.redriven).map((run) => run.name));
    for (const run of this.runs) {
      if (run.redriven && rerun.has(run.name)) continue;  // as asl_runner.graph reads a redrive
      const value = run.status;
      const seen = out.get(run.name);
      if (!seen || (rank[value] || 0) > (rank[seen] || 0)) out.set(run.name, value);
    }
    return out;
  }

  // The machine's Start and End markers (the graph's #asl-start and #asl-end: not states, as a
  // state may be named "Start"), by how far the run got.
  markerStatuses() {
    const end = this.ended && {ExecutionSucceeded: "succeeded", ExecutionFailed: "failed", ExecutionTimedOut: "failed",
                               ExecutionAborted: "aborted"}[this.ended.type];
    return {"asl-start": this.events.length ? "succeeded" : "not-reached", "asl-end": end || "not-reached"};
  }

  // The edges the run took, as "from\tto\t" (a Next, a Choice rule, a Default), "from\tto\tcatch"
  // (a state failed and a Catch went on) and "from\tretry", keyed as the graph's data-from,
  // data-to and data-kind: what came before each state entered says how it was reached.
  edgesTaken() {
    const out = new Set();
    for (const run of this.runs) {
      if (run.attempts.length > 1) out.add(`${run.name}\tretry`);
      const prev = this.byId.get(run.entered.previousEventId);
      if (!run.parent && (!prev || prev.type === "ExecutionStarted")) out.add(`\t${run.name}\t`);  // from Start: data-from ""
      const from = prev && this.runOf.get(prev.id);
      if (!from || from === run.parent) continue;
      out.add(`${from.name}\t${run.name}\t${prev.type.endsWith("StateExited") && !from.failure ? "" : "catch"}`);
    }
    const last = this.ended && this.runOf.get(this.ended.previousEventId);
    if (last) out.add(`${last.name}\t\t`);  // to End: data-to ""
    return out;
  }

  // The state each event is about, for the event table.
  stepOf(event) {
    const d = details(event);
    if (d.name !== undefined && !event.type.startsWith("MapIteration")) return d.name;
    const run = this.runOf.get(event.id);
    if (!run) return "";
    return event.type.startsWith("MapIteration") ? `${run.name} #${d.index}` : run.name;
  }
}

// The states TestState can run again from what the history recorded, and the names of the
// values it reports between the data-flow steps (inspectionData), in order.
const REPLAYABLE = new Set(["Task", "Pass", "Choice", "Wait", "Succeed", "Fail"]);
const REPLAY_STEPS = [
  ["input", "Input"], ["afterInputPath", "After InputPath"], ["afterParameters", "After Parameters"],
  ["afterArguments", "After Arguments"], ["result", "Result"], ["afterResultSelector", "After ResultSelector"],
  ["afterResultPath", "After ResultPath"], ["variables", "Variables"],
];

// ---------------------------------------------------------------- the views

let view = null; // {stop()} of the view on screen

function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const [page, ...rest] = path.split("/");
  return {page: page || "machines", arg: rest.length ? decodeURIComponent(rest.join("/")) : null, params};
}

function render() {
  if (view && view.stop) view.stop();
  const {page, arg, params} = route();
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === page || (page === "execution" && link.dataset.nav === "executions"));
  }
  const main = document.getElementById("view");
  main.replaceChildren();
  const views = {machines: machinesView, executions: executionsView, execution: executionView, inbox: inboxView};
  view = (views[page] || machinesView)(main, arg, params) || null;
}

function fail(main, error) {
  main.append(h("div", {class: "errorbox"}, h("span", {class: "err"}, error.code || "Error"), " ", error.message));
}

// ---- state machines, their versions and aliases

function machinesView(main) {
  main.append(h("h1", {}, "State machines"));
  const body = h("tbody");
  main.append(h("table", {class: "grid", id: "machines"},
    h("thead", {}, h("tr", {}, ["Name", "Type", "Created", "Versions", "Aliases", ""].map((c) => h("th", {}, c)))), body));
  (async () => {
    const machines = await all("ListStateMachines", {maxResults: PAGE}, "stateMachines");
    if (!machines.length) body.append(h("tr", {}, h("td", {colspan: 6, class: "muted"}, "No state machines yet: create one with CreateStateMachine.")));
    for (const machine of machines) {
      const versions = h("td"), aliases = h("td");
      body.append(h("tr", {dataset: {machine: machine.name}},
        h("td", {}, h("a", {href: `#/executions?machine=${encodeURIComponent(machine.stateMachineArn)}`}, machine.name)),
        h("td", {}, machine.type), h("td", {}, fmtTime(machine.creationDate)), versions, aliases,
        h("td", {}, h("a", {href: `#/executions?machine=${encodeURIComponent(machine.stateMachineArn)}&status=RUNNING`}, "running"))));
      all("ListStateMachineVersions", {stateMachineArn: machine.stateMachineArn, maxResults: PAGE}, "stateMachineVersions").then((list) => {
        versions.append(...list.map((v) => h("span", {class: "chip", title: fmtTime(v.creationDate)}, `v${shortArn(v.stateMachineVersionArn)}`)));
        if (!list.length) versions.append(h("span", {class: "muted"}, "none"));
      });
      all("ListStateMachineAliases", {stateMachineArn: machine.stateMachineArn, maxResults: PAGE}, "stateMachineAliases").then(async (list) => {
        if (!list.length) aliases.append(h("span", {class: "muted"}, "none"));
        for (const alias of list) {
          const described = await sfn("DescribeStateMachineAlias", {stateMachineAliasArn: alias.stateMachineAliasArn});
          const routes = described.routingConfiguration.map((r) => `v${shortArn(r.stateMachineVersionArn)} ${r.weight}%`).join(", ");
          aliases.append(h("span", {class: "chip", title: described.description || ""}, `${described.name} → ${routes}`));
        }
      });
    }
  })().catch((error) => fail(main, error));
}

// ---- executions: by machine and status, searchable by name or correlation id

function executionsView(main, _arg, params) {
  const statuses = ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
  const machineSelect = h("select", {id: "machine-filter"}, h("option", {value: ""}, "All state machines"));
  const statusSelect = h("select", {id: "status-filter"}, statuses.map((s) => h("option", {value: s}, s || "Any status")));
  const search = h("input", {type: "search", id: "search", placeholder: "Name or correlation id", value: params.get("q") || ""});
  const table = h("tbody");
  const summary = h("span", {class: "muted small"});
  // a Distributed Map's child executions, by their Map Run (ListExecutions with mapRunArn)
  const mapRun = params.get("mapRun");
  const mapRunCard = h("div", {id: "map-run"});
  statusSelect.value = params.get("status") || "";
  machineSelect.hidden = Boolean(mapRun);
  main.append(h("h1", {}, mapRun ? "Executions of a Map Run" : "Executions"), mapRunCard,
    h("div", {class: "controls"}, machineSelect, statusSelect, search, summary),
    h("table", {class: "grid", id: "executions"},
      h("thead", {}, h("tr", {}, ["Name", "Status", "State machine", "Started", "Duration"].map((c) => h("th", {}, c)))), table));
  const update = () => {
    const query = new URLSearchParams();
    if (mapRun) query.set("mapRun", mapRun);
    else if (machineSelect.value) query.set("machine", machineSelect.value);
    if (statusSelect.value) query.set("status", statusSelect.value);
    if (search.value) query.set("q", search.value);
    history.replaceState(null, "", `#/executions?${query}`);
    load();
  };
  let machines = [];
  let timer = null;
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    clearTimeout(timer);
    // an Express machine's executions are not listed (ListExecutions: StateMachineTypeNotSupported, as on AWS)
    const chosen = (machineSelect.value ? machines.filter((m) => m.stateMachineArn === machineSelect.value) : machines)
      .filter((m) => m.type !== "EXPRESS");
    const filter = statusSelect.value ? {statusFilter: statusSelect.value} : {};
    const lists = mapRun ? [await all("ListExecutions", {mapRunArn: mapRun, maxResults: PAGE, ...filter}, "executions", 5 * PAGE)]
      : await Promise.all(chosen.map((m) => all("ListExecutions", {stateMachineArn: m.stateMachineArn, maxResults: PAGE, ...filter}, "executions", 5 * PAGE)));
    if (mapRun) showMapRun(mapRunCard, await sfn("DescribeMapRun", {mapRunArn: mapRun}));
    let rows = lists.flat();
    const text = search.value.trim();
    const byCorrelation = new Set();
    if (text) {
      const needle = text.toLowerCase();
      const correlated = await getJSON(`/ui/api/executions?correlationId=${encodeURIComponent(text)}` +
        (machineSelect.value ? `&stateMachineArn=${encodeURIComponent(machineSelect.value)}` : ""));
      for (const e of correlated.executions) byCorrelation.add(e.executionArn);
      rows = rows.filter((e) => e.name.toLowerCase().includes(needle) || byCorrelation.has(e.executionArn));
      const listed = new Set(rows.map((e) => e.executionArn));
      rows.push(...correlated.executions.filter((e) => !listed.has(e.executionArn) && (!filter.statusFilter || e.status === filter.statusFilter)));
    }
    rows.sort((a, b) => b.startDate - a.startDate);
    const overdue = await overdueByExecution();
    if (mine !== generation) return;
    table.replaceChildren(...rows.map((e) => {
      const late = overdue.get(e.executionArn);
      const end = e.stopDate || serverNow();
      return h("tr", {class: late ? "over-sla" : "", dataset: {execution: e.name, status: e.status}},
        h("td", {}, h("a", {href: `#/execution/${encodeURIComponent(e.executionArn)}`}, e.name),
          byCorrelation.has(e.executionArn) ? h("span", {class: "chip"}, "correlation id") : null),
        h("td", {}, status(e.status), late ? h("span", {class: "sla-badge", title: "running longer than the SLA"}, `${late.stateName} ${fmtDuration(late.age)}`) : null),
        h("td", {}, machineName(e.stateMachineArn)), h("td", {}, fmtTime(e.startDate)),
        h("td", {}, fmtDuration(end - e.startDate)));
    }));
    if (!rows.length) table.append(h("tr", {}, h("td", {colspan: 5, class: "muted"}, "No executions match.")));
    summary.textContent = `${rows.length} execution${rows.length === 1 ? "" : "s"}`;
    // read again soon while something runs; new executions show within 15 s otherwise
    timer = setTimeout(load, rows.some((e) => e.status === "RUNNING") ? 3000 : 15000);
  };
  machineSelect.addEventListener("change", update);
  statusSelect.addEventListener("change", update);
  search.addEventListener("input", () => { clearTimeout(search.timer); search.timer = setTimeout(update, 250); });
  (async () => {
    machines = await all("ListStateMachines", {maxResults: PAGE}, "stateMachines");
    machineSelect.append(...machines.map((m) => h("option", {value: m.stateMachineArn}, m.name)));
    machineSelect.value = params.get("machine") || "";
    await load();
  })().catch((error) => fail(main, error));
  return {stop() { clearTimeout(timer); generation++; }};
}

function showMapRun(card, run) {
  const counts = (c) => Object.entries(c || {}).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(", ");
  card.replaceChildren(h("dl", {class: "summary card"},
    h("div", {}, h("dt", {}, "Map Run"), h("dd", {}, status(run.status))),
    h("div", {}, h("dt", {}, "Of"), h("dd", {}, h("a", {href: `#/execution/${encodeURIComponent(run.executionArn)}`}, shortArn(run.executionArn)))),
    h("div", {}, h("dt", {}, "Items"), h("dd", {}, counts(run.itemCounts))),
    h("div", {}, h("dt", {}, "Max concurrency"), h("dd", {}, run.maxConcurrency || "unlimited")),
    h("div", {class: "wide"}, h("dt", {}, "Map Run ARN"), h("dd", {class: "mono"}, run.mapRunArn))));
}

// The oldest task over the SLA of each execution.
async function overdueByExecution() {
  const limit = sla();
  const out = new Map();
  if (!limit) return out;
  const {tasks, now} = await getJSON("/ui/api/tasks?limit=1000");
  for (const task of tasks) {
    const age = now - task.enteredTime;
    if (age > limit && !out.has(task.executionArn)) out.set(task.executionArn, {...task, age});
  }
  return out;
}

// ---- one execution

function executionView(main, arn, params) {
  const state = {stopped: false, timer: null, analysis: null, describe: null};
  const header = h("div", {id: "execution-header"});
  const alerts = h("div", {id: "alerts"});
  const tabs = h("div", {class: "tabs"});
  const panes = {
    graph: h("div", {id: "pane-graph"}), events: h("div", {id: "pane-events"}),
    states: h("div", {id: "pane-states"}), timeline: h("div", {id: "pane-timeline"}),
    io: h("div", {id: "pane-io"}),
  };
  const labels = {graph: "Graph", events: "Events", states: "States", timeline: "Timeline", io: "Input and output"};
  const show = (name) => {
    if (!panes[name]) name = "graph";
    state.tab = name;
    history.replaceState(null, "", `#/execution/${encodeURIComponent(arn)}?tab=${name}`);
    for (const [key, pane] of Object.entries(panes)) pane.hidden = key !== name;
    for (const button of tabs.children) button.classList.toggle("active", button.dataset.tab === name);
    refresh();
  };
  for (const name of Object.keys(panes)) tabs.append(h("button", {dataset: {tab: name}, onclick: () => show(name)}, labels[name]));
  main.append(header, alerts, tabs, ...Object.values(panes));

  // events: a virtual table and the selected event's details
  const eventDetail = h("div", {class: "card", id: "event-detail"}, h("span", {class: "muted"}, "Select an event."));
  const eventFilter = h("input", {type: "search", id: "event-filter", placeholder: "Filter by type or state"});
  const eventsList = new VirtualList("events", 560, (event) => {
    const a = state.analysis;
    return h("div", {class: /Failed|TimedOut|Aborted/.test(event.type) ? "failed-row" : "", dataset: {id: event.id}},
      h("span", {}, event.id), h("span", {}, event.type), h("span", {}, a.stepOf(event)),
      h("span", {class: "muted"}, `+${fmtDuration(event._t - a.start)}`), h("span", {class: "muted"}, new Date(event._t * 1000).toISOString()));
  }, (event) => {
    eventDetail.replaceChildren(h("h3", {}, `${event.id} ${event.type}`),
      h("div", {class: "muted small"}, `previous event ${event.previousEventId}, ${new Date(event._t * 1000).toISOString()}`),
      ...Object.entries(details(event)).map(([key, value]) => h("div", {},
        h("div", {class: "small muted"}, key), h("pre", {}, /input|output|parameters|result|cause|assignedVariables/.test(key) ? pretty(value) : JSON.stringify(value, null, 2)))));
  });
  const eventsHead = h("div", {class: "vrow head"}, ["ID", "Type", "Step", "Elapsed", "Timestamp"].map((c) => h("span", {}, c)));
  eventsHead.style.gridTemplateColumns = "60px 230px 1fr 90px 200px";
  panes.events.append(h("div", {class: "controls"}, eventFilter, h("span", {id: "event-count", class: "muted small"})),
    h("div", {class: "split"}, h("div", {}, eventsHead, eventsList.el), eventDetail));
  eventFilter.addEventListener("input", () => { state.filterDirty = true; refresh(); });

  // states: the runs, nested by Map iteration and Parallel branch, and the chosen run's data flow
  const runDetail = h("div", {class: "card", id: "run-detail"}, h("span", {class: "muted"}, "Select a state."));
  const tree = h("div", {class: "tree card", id: "state-tree"});
  panes.states.append(h("div", {class: "split"}, tree, runDetail));
  const open = new Set(["root"]);

  const graphBox = h("div", {class: "graph", id: "graph"}, h("span", {class: "muted"}, "Loading the graph…"));
  const legend = h("div", {class: "small muted"}, "Colours: ", ["running", "succeeded", "retried", "caught", "failed"].map((s) => status(s)), " not reached: grey");
  panes.graph.append(graphBox, legend);
  const timeline = h("div", {class: "timeline card", id: "timeline"});
  panes.timeline.append(timeline);

  const poll = async () => {
    if (state.stopped) return;
    try {
      await load();
    } catch (error) {
      if (!state.analysis) { fail(alerts, error); return; }
      toast(error.message, true);
    }
    if (!state.stopped && state.describe && state.describe.status === "RUNNING") state.timer = setTimeout(poll, POLL_MS);
  };

  const load = async () => {
    if (!state.analysis) {
      const [describe, machine] = await Promise.all([
        sfn("DescribeExecution", {executionArn: arn}),
        sfn("DescribeStateMachineForExecution", {executionArn: arn}),
      ]);
      state.describe = describe;
      state.definition = JSON.parse(machine.definition);
      state.analysis = new Analysis(indexDefinition(state.definition));
      // the first page paints at once; the rest follow
      let token;
      do {
        const page = await sfn("GetExecutionHistory", {executionArn: arn, maxResults: PAGE, nextToken: token});
        state.analysis.add(page.events);
        token = page.nextToken;
        refresh();
        if (!state.firstPainted) { state.firstPainted = true; markPainted("asl:first-events"); }
        await new Promise((resolve) => setTimeout(resolve, 0));
      } while (token && !state.stopped);
      markPainted("asl:events-loaded");
      loadGraph();
    } else {
      state.describe = await sfn("DescribeExecution", {executionArn: arn});
      // newest first, back to the last event seen: only what is new crosses the wire
      const last = state.analysis.events.length ? state.analysis.events[state.analysis.events.length - 1].id : 0;
      const fresh = [];
      let token;
      do {
        const page = await sfn("GetExecutionHistory", {executionArn: arn, maxResults: 100, reverseOrder: true, nextToken: token});
        const newer = page.events.filter((e) => e.id > last);
        fresh.push(...newer);
        token = newer.length === page.events.length ? page.nextToken : undefined;
      } while (token);
      if (fresh.length) {
        state.analysis.add(fresh.reverse());
        state.filterDirty = true;
      }
      refresh();
    }
  };

  const loadGraph = async () => {
    try {
      const response = await fetch(`/ui/api/graph?executionArn=${encodeURIComponent(arn)}`);
      if (!response.ok) throw new Error((await response.json()).message);
      graphBox.innerHTML = await response.text(); // our own server's SVG
      state.graphLoaded = true;
      paintGraph();
    } catch (error) {
      graphBox.replaceChildren(h("span", {class: "muted"}, `No graph: ${error.message}`));
    }
  };

  const paintGraph = () => {
    if (!state.graphLoaded) return;
    const a = state.analysis;
    const statuses = a.stateStatuses();
    for (const node of graphBox.querySelectorAll("[data-state]")) {
      node.setAttribute("data-status", statuses.get(node.getAttribute("data-state")) || "not-reached");
    }
    for (const [id, status] of Object.entries(a.markerStatuses())) {
      const marker = graphBox.querySelector(`#${id}`);
      if (marker) marker.setAttribute("data-status", status);
    }
    const taken = a.edgesTaken();
    for (const edge of graphBox.querySelectorAll(".edge[data-from][data-to]")) {
      const kind = edge.getAttribute("data-kind");
      const key = kind === "retry" ? `${edge.getAttribute("data-from")}\tretry` :
        `${edge.getAttribute("data-from")}\t${edge.getAttribute("data-to")}\t${kind === "catch" ? "catch" : ""}`;
      if (!taken.has(key) || edge.getAttribute("data-taken") === "true") continue;
      edge.setAttribute("data-taken", "true");
      const path = edge.querySelector("path");
      if (path && kind !== "retry") path.setAttribute("marker-end", `url(#arrow-${kind === "catch" ? "catch" : "taken"})`);
    }
  };

  // Parts are drawn again only when new events came (a redraw under the pointer would eat
  // clicks); the running clock ticks on its own.
  const refresh = (force = false) => {
    const a = state.analysis;
    if (!a) return;
    const version = `${a.events.length} ${state.describe.status} ${sla()}`;
    const changed = force || version !== state.drawn;
    state.drawn = version;
    if (changed) renderHeader();
    const clock = document.getElementById("running-for");
    if (clock && !state.describe.stopDate) clock.textContent = fmtDuration(serverNow() - state.describe.startDate);
    for (const since of alerts.querySelectorAll("[data-since]")) since.textContent = fmtDuration(serverNow() - Number(since.dataset.since));
    if (!changed && state.drawnTab === state.tab && !state.filterDirty) return;
    state.drawnTab = state.tab;
    if (state.tab === "events") {
      const text = eventFilter.value.trim().toLowerCase();
      eventsList.setItems(text ? a.events.filter((e) => e.type.toLowerCase().includes(text) || a.stepOf(e).toLowerCase().includes(text)) : a.events);
      state.filterDirty = false;
      document.getElementById("event-count").textContent = `${eventsList.items.length} of ${a.events.length} events`;
    } else if (state.tab === "states") renderTree();
    else if (state.tab === "timeline") renderTimeline();
    else if (state.tab === "graph") paintGraph();
    else if (state.tab === "io") renderIo();
  };

  const renderHeader = () => {
    const d = state.describe;
    const end = d.stopDate || serverNow();
    header.replaceChildren(h("h1", {}, d.name, " ", status(d.status)),
      h("dl", {class: "summary card"},
        h("div", {}, h("dt", {}, "State machine"), h("dd", {}, h("a", {href: `#/executions?machine=${encodeURIComponent(d.stateMachineArn)}`}, machineName(d.stateMachineArn)),
          d.stateMachineVersionArn ? h("span", {class: "chip"}, `v${shortArn(d.stateMachineVersionArn)}`) : null,
          d.stateMachineAliasArn ? h("span", {class: "chip"}, `alias ${shortArn(d.stateMachineAliasArn)}`) : null)),
        h("div", {}, h("dt", {}, "Started"), h("dd", {}, fmtTime(d.startDate))),
        h("div", {}, h("dt", {}, d.stopDate ? "Ended" : "Running for"), h("dd", {id: "running-for"}, d.stopDate ? `${fmtTime(d.stopDate)} (${fmtDuration(end - d.startDate)})` : fmtDuration(end - d.startDate))),
        h("div", {}, h("dt", {}, "Events"), h("dd", {id: "event-total"}, state.analysis.events.length)),
        h("div", {}, h("dt", {}, "Export"), h("dd", {}, h("button", {id: "export", class: "small", onclick: () => download(`${d.name}.json`, {execution: d, events: state.analysis.events.map(({_t, ...e}) => e)})}, "History (JSON)"))),
        d.redriveCount ? h("div", {}, h("dt", {}, "Redriven"), h("dd", {id: "redrive-count"}, `${d.redriveCount}×, last ${fmtTime(d.redriveDate)}`)) : null,
        d.redriveStatus === "REDRIVABLE" ? h("div", {}, h("dt", {}, "Redrive"), h("dd", {},
          h("button", {id: "redrive", class: "small", disabled: !settings.writes, onclick: redrive,
                       title: settings.writes ? "RedriveExecution: run again from where it failed" : "Start serve with --ui-writes to redrive here"}, "Redrive"))) : null,
        h("div", {class: "wide"}, h("dt", {}, "Execution ARN"), h("dd", {class: "mono"}, d.executionArn))));
    alerts.replaceChildren();
    if (d.error || d.cause) {
      const failed = state.analysis.runs.filter((r) => r.failure).pop();
      alerts.append(h("div", {class: "errorbox", id: "execution-error"},
        h("div", {}, h("span", {class: "err"}, d.error || "(no error)"), failed ? ` in ${failed.name}` : ""),
        d.cause ? h("pre", {}, pretty(d.cause)) : null));
    }
    const waiting = state.analysis.runs.filter((r) => r.end === null && (r.state.Resource || "").endsWith(".waitForTaskToken"));
    for (const run of waiting) {
      const age = serverNow() - run.start;
      const late = sla() && age > sla();
      alerts.append(h("div", {class: `notice${late ? " over-sla" : ""}`},
        `Waiting in ${run.name} for a task token for `, h("span", {class: "since", dataset: {since: run.start}}, fmtDuration(age)), ". ", h("a", {href: "#/inbox"}, "Answer it in the inbox")));
    }
  };

  const redrive = async (event) => {
    event.target.disabled = true;
    try {
      await write("RedriveExecution", {executionArn: arn});
      toast(`RedriveExecution: ${state.describe.name} runs again from where it failed`);
      clearTimeout(state.timer);
      poll();
    } catch (error) {
      toast(error.message, true);
      event.target.disabled = false;
    }
  };

  const renderIo = () => {
    const d = state.describe;
    panes.io.replaceChildren(h("div", {class: "split"},
      h("div", {class: "card"}, h("h3", {}, "Input"), h("pre", {id: "execution-input"}, pretty(d.input))),
      h("div", {class: "card"}, h("h3", {}, "Output"), d.output !== undefined ? h("pre", {id: "execution-output"}, pretty(d.output)) : h("span", {class: "muted"}, d.status === "RUNNING" ? "Still running." : "No output."))));
  };

  const runLate = (run) => run.end === null && sla() && serverNow() - run.start > sla();

  const renderTree = () => {
    const rows = [];
    const line = (run, depth) => {
      const key = String(run.entered.id);
      const dur = (run.end || serverNow()) - run.start;
      const expandable = run.children.length > 0;
      rows.push(h("div", {class: `run${state.selectedRun === run ? " selected" : ""}${runLate(run) ? " over-sla" : ""}`, dataset: {run: run.name},
        onclick: () => { state.selectedRun = run; if (expandable) { open.has(key) ? open.delete(key) : open.add(key); } renderTree(); renderRun(run); }},
        h("span", {}, h("span", {class: "indent", style: `width:${depth * 18}px`}), expandable ? (open.has(key) ? "▾ " : "▸ ") : "  ", run.name, h("span", {class: "muted small"}, ` ${run.type}`)),
        h("span", {}, status(run.status)),
        h("span", {class: "small"}, run.attempts.length > 1 ? `${run.attempts.length} attempts` : ""),
        h("span", {class: "small muted"}, fmtDuration(dur))));
      if (!expandable || !open.has(key)) return;
      if (run.type === "Map") {
        const byIteration = new Map();
        for (const child of run.children) {
          const list = byIteration.get(child.iteration) || [];
          list.push(child);
          byIteration.set(child.iteration, list);
        }
        for (const [index, children] of [...byIteration.entries()].sort((x, y) => x[0] - y[0])) {
          const it = run.iterations.get(index) || {};
          const itKey = `${key}#${index}`;
          rows.push(h("div", {class: "group", style: `padding-left:${(depth + 1) * 18}px`, dataset: {iteration: index},
            onclick: () => { open.has(itKey) ? open.delete(itKey) : open.add(itKey); renderTree(); }},
            `${open.has(itKey) ? "▾" : "▸"} Iteration #${index} `, it.status ? status(it.status) : null,
            it.end ? ` ${fmtDuration(it.end - it.start)}` : ""));
          if (open.has(itKey)) for (const child of children) line(child, depth + 2);
        }
      } else if (run.type === "Parallel") {
        const byBranch = new Map();
        for (const child of run.children) {
          const list = byBranch.get(child.branch) || [];
          list.push(child);
          byBranch.set(child.branch, list);
        }
        for (const [index, children] of [...byBranch.entries()].sort((x, y) => x[0] - y[0])) {
          rows.push(h("div", {class: "group", style: `padding-left:${(depth + 1) * 18}px`, dataset: {branch: index}}, `Branch ${index + 1}`));
          for (const child of children) line(child, depth + 2);
        }
      } else for (const child of run.children) line(child, depth + 1);
    };
    for (const run of state.analysis.roots) line(run, 0);
    tree.replaceChildren(...rows);
    if (state.selectedRun) renderRun(state.selectedRun);
  };

  // The data flow of one run of a state: what came in, each step the definition applies,
  // what the task got and gave, and what went out.
  const renderRun = (run) => {
    const s = run.state;
    const field = (label, value) => value === undefined ? null : h("div", {class: "step"}, h("div", {class: "label"}, label), h("pre", {}, typeof value === "string" ? value : JSON.stringify(value, null, 2)));
    const steps = [
      field("State input", pretty(run.input)),
      field("InputPath", s.InputPath),
      field(s.Arguments !== undefined ? "Arguments" : "Parameters", s.Arguments !== undefined ? s.Arguments : s.Parameters),
      field("Result", s.Result), field("ItemsPath", s.ItemsPath), field("Items", s.Items), field("ItemSelector", s.ItemSelector),
    ];
    run.attempts.forEach((attempt, i) => {
      steps.push(h("div", {class: "step"}, h("div", {class: "label"}, `Attempt ${i + 1}: ${attempt.status}`, attempt.end ? ` after ${fmtDuration(attempt.end - attempt.start)}` : ` for ${fmtDuration(serverNow() - attempt.start)}`),
        h("div", {class: "small muted"}, attempt.resource || ""),
        h("div", {class: "small"}, "Sent"), h("pre", {}, pretty(attempt.parameters)),
        attempt.result !== undefined ? [h("div", {class: "small"}, "Result"), h("pre", {}, pretty(attempt.result))] : null,
        attempt.error || attempt.cause ? h("div", {class: "errorbox"}, h("span", {class: "err"}, attempt.error || ""), attempt.cause ? h("pre", {}, pretty(attempt.cause)) : null) : null));
    });
    steps.push(field("ResultSelector", s.ResultSelector), field("ResultPath", s.ResultPath), field("OutputPath", s.OutputPath),
      field("Output", s.Output), field("Assign", s.Assign));
    if (s.Retry) steps.push(field("Retry", s.Retry));
    if (s.Catch) steps.push(field("Catch", s.Catch));
    if (run.failure && !run.attempts.some((a) => a.error)) steps.push(h("div", {class: "errorbox"}, h("span", {class: "err"}, run.failure.error || ""), run.failure.cause ? h("pre", {}, pretty(run.failure.cause)) : null));
    steps.push(run.output !== undefined ? field("State output", pretty(run.output)) : h("div", {class: "step muted"}, run.end ? "No output." : "Still running."));
    if (run.assigned) steps.push(field("Assigned variables", Object.fromEntries(Object.entries(run.assigned).map(([k, v]) => [k, JSON.parse(v)]))));
    if (run.mapRunArn) steps.unshift(h("div", {class: "step"}, h("div", {class: "label"}, "Distributed Map"),
      h("a", {href: `#/executions?mapRun=${encodeURIComponent(run.mapRunArn)}`, id: "map-run-link"}, "Its Map Run's child executions")));
    const replay = h("div", {id: "replay"});
    const canReplay = REPLAYABLE.has(run.type) && run.input !== undefined && (run.type !== "Task" || run.attempts.some((a) => a.end));
    runDetail.replaceChildren(h("h3", {}, run.name, " ", status(run.status)),
      h("div", {class: "muted small"}, `${run.type} · entered at event ${run.entered.id}`, run.iteration !== null ? ` · iteration #${run.iteration}` : "", run.branch !== undefined ? ` · branch ${run.branch + 1}` : ""),
      canReplay ? h("div", {class: "row"}, h("button", {class: "small", id: "replay-button", onclick: () => replayRun(run, replay)}, "Each step's value"),
        h("span", {class: "small muted"}, "TestState runs this state again on its input (a task's result as recorded) and shows what each field made of it")) : null,
      replay, h("div", {class: "flow"}, steps));
  };

  // The values between the data-flow steps, which the history does not keep: TestState (the
  // same API) runs the state once more on the run's input, with the task's recorded result or
  // error as its mock, so nothing is called. What it cannot know are the $$ fields a Map item
  // or a task token had and the variables the run held; the output says when it differs.
  const replayRun = async (run, box) => {
    const definition = {...run.state};
    if (state.definition.QueryLanguage && !definition.QueryLanguage) definition.QueryLanguage = state.definition.QueryLanguage;
    const body = {definition: JSON.stringify(definition), input: run.input, inspectionLevel: "DEBUG"};
    if (run.type === "Task") {
      const attempt = [...run.attempts].reverse().find((a) => a.end);
      body.mock = attempt.status === "succeeded" ? {result: attempt.result, fieldValidationMode: "NONE"}
        : {errorOutput: {error: attempt.error || "States.TaskFailed", cause: attempt.cause || ""}};
      const d = state.describe;
      body.context = JSON.stringify({
        Execution: {Id: d.executionArn, Name: d.name, StartTime: new Date(d.startDate * 1000).toISOString(), Input: JSON.parse(d.input || "{}")},
        StateMachine: {Id: d.stateMachineArn, Name: machineName(d.stateMachineArn)},
        State: {Name: run.name, EnteredTime: new Date(run.start * 1000).toISOString(), RetryCount: run.attempts.length - 1}});
    }
    box.replaceChildren(h("span", {class: "muted small"}, "Running TestState…"));
    try {
      const answer = await sfn("TestState", body);
      const data = answer.inspectionData || {};
      const same = answer.output === undefined || run.output === undefined || JSON.stringify(JSON.parse(answer.output)) === JSON.stringify(JSON.parse(run.output));
      box.replaceChildren(h("div", {class: "card flow", id: "replay-steps"},
        h("div", {class: same ? "small muted" : "notice small"}, same ? "TestState's output is the run's own." :
          "TestState's output differs from the run's: the run saw $$ fields or variables TestState does not know."),
        REPLAY_STEPS.filter(([key]) => data[key] !== undefined).map(([key, label]) =>
          h("div", {class: "step", dataset: {step: key}}, h("div", {class: "label"}, label), h("pre", {}, pretty(data[key])))),
        answer.output !== undefined ? h("div", {class: "step", dataset: {step: "output"}}, h("div", {class: "label"}, "Output"), h("pre", {}, pretty(answer.output))) : null,
        answer.error ? h("div", {class: "errorbox"}, h("span", {class: "err"}, answer.error), answer.cause ? h("pre", {}, pretty(answer.cause)) : null) : null,
        answer.nextState ? h("div", {class: "small"}, `Next: ${answer.nextState}`) : null));
    } catch (error) {
      box.replaceChildren(h("div", {class: "errorbox"}, h("span", {class: "err"}, error.code || "Error"), " ", error.message));
    }
  };

  // Durations on one axis: each run a bar, each retry attempt a segment, back-off hatched.
  const renderTimeline = () => {
    const a = state.analysis;
    const start = a.start;
    const end = Math.max(a.ended ? a.ended._t : serverNow(), start + 0.001);
    const span = end - start;
    const order = [];
    const walk = (run, depth) => { order.push([run, depth]); for (const child of run.children) walk(child, depth + 1); };
    for (const run of a.roots) walk(run, 0);
    const list = state.timelineList || (state.timelineList = new VirtualList("timeline-list", 560, ([run, depth]) => {
      const left = (t) => `${((t - start) / span) * 100}%`;
      const width = (t0, t1) => `${Math.max(((t1 - t0) / span) * 100, 0.15)}%`;
      const runEnd = run.end || serverNow();
      const bars = [];
      if (run.attempts.length) {
        run.attempts.forEach((attempt, i) => {
          const attemptEnd = attempt.end || runEnd;
          bars.push(h("div", {class: `bar ${attempt.status}`, style: `left:${left(attempt.start)};width:${width(attempt.start, attemptEnd)}`, title: `attempt ${i + 1}: ${attempt.status}, ${fmtDuration(attemptEnd - attempt.start)}${attempt.error ? " " + attempt.error : ""}`}));
          const next = run.attempts[i + 1];
          if (next && attempt.end) bars.push(h("div", {class: "bar wait", style: `left:${left(attempt.end)};width:${width(attempt.end, next.start)}`, title: `retry back-off ${fmtDuration(next.start - attempt.end)}`}));
        });
      } else {
        bars.push(h("div", {class: `bar ${run.status}`, style: `left:${left(run.start)};width:${width(run.start, runEnd)}`, title: fmtDuration(runEnd - run.start)}));
      }
      const label = run.iteration !== null ? `${run.name} #${run.iteration}` : run.name;
      return h("div", {class: `tl-row${runLate(run) ? " over-sla" : ""}`, dataset: {run: run.name}},
        h("span", {style: `padding-left:${depth * 14}px`}, label, run.attempts.length > 1 ? h("span", {class: "chip"}, `${run.attempts.length} attempts`) : null),
        h("div", {class: "lane"}, bars), h("span", {class: "small muted"}, fmtDuration(runEnd - run.start)));
    }));
    if (!timeline.contains(list.el)) timeline.replaceChildren(h("div", {class: "small muted"}, `0 … ${fmtDuration(span)}`), list.el);
    list.setItems(order);
  };

  show(params.get("tab"));
  poll();
  return {stop() { state.stopped = true; clearTimeout(state.timer); }};
}

// ---- the inbox: tasks waiting for a person, and tasks running too long

function inboxView(main) {
  const cards = h("div", {id: "inbox"});
  const more = h("p", {class: "muted small", id: "inbox-more"});
  const running = h("tbody");
  main.append(h("h1", {}, "Inbox"),
    h("p", {class: "muted"}, "Executions waiting on a task token (.waitForTaskToken). Approve sends SendTaskSuccess with the output you type; Reject sends SendTaskFailure with the error and cause you type.",
      settings.writes ? "" : " This server is read-only: start it with --ui-writes to answer here."),
    more, cards, h("h2", {}, "Tasks in progress"),
    h("table", {class: "grid", id: "running-tasks"}, h("thead", {}, h("tr", {}, ["Execution", "State", "Kind", "Running for", "Times out"].map((c) => h("th", {}, c)))), running));
  const drafts = new Map(); // token -> the card, kept across refreshes so typing is not lost
  let timer = null;
  let stopped = false;
  const load = async () => {
    try {
      // the oldest first: those past an SLA are never the ones left out
      const [{tasks: waiting, counts}, {tasks, now}] = await Promise.all([
        getJSON(`/ui/api/tasks?kind=callback&limit=${INBOX_CARDS}`), getJSON(`/ui/api/tasks?limit=${TASK_ROWS}`)]);
      settings.clockOffset = now - Date.now() / 1000;
      const limit = sla();
      const total = counts.callback || 0;
      more.textContent = total > waiting.length ? `The ${waiting.length} oldest of ${total} waiting are shown.` : "";
      const tokens = new Set(waiting.map((t) => t.taskToken));
      for (const [token, card] of drafts) if (!tokens.has(token)) { card.remove(); drafts.delete(token); }
      for (const task of waiting) {
        const card = drafts.get(task.taskToken) || taskCard(task, () => load());
        drafts.set(task.taskToken, card);
        const age = now - task.enteredTime;
        card.classList.toggle("over-sla", Boolean(limit && age > limit));
        card.querySelector(".age").textContent = fmtDuration(age) + (limit && age > limit ? " (over the SLA)" : "");
        if (!card.isConnected) cards.append(card);
      }
      if (!waiting.length) cards.replaceChildren(h("p", {class: "muted", id: "inbox-empty"}, "Nothing is waiting for an answer."));
      else cards.querySelector("#inbox-empty")?.remove();
      running.replaceChildren(...tasks.map((t) => {
        const age = now - t.enteredTime;
        return h("tr", {class: limit && age > limit ? "over-sla" : ""},
          h("td", {}, h("a", {href: `#/execution/${encodeURIComponent(t.executionArn)}`}, t.executionName)),
          h("td", {}, t.stateName), h("td", {}, t.kind), h("td", {}, fmtDuration(age), limit && age > limit ? h("span", {class: "sla-badge"}, "over SLA") : null),
          h("td", {}, t.timeoutTime ? fmtTime(t.timeoutTime) : ""));
      }));
      if (!tasks.length) running.append(h("tr", {}, h("td", {colspan: 5, class: "muted"}, "No task is running.")));
      updateCount(total);
    } catch (error) {
      toast(error.message, true);
    }
    if (!stopped) timer = setTimeout(load, 2 * POLL_MS);  // two reads of every running execution
  };
  load();
  return {stop() { stopped = true; clearTimeout(timer); }};
}

function taskCard(task, reload) {
  const output = h("textarea", {rows: 3, name: "output", spellcheck: "false"}, "{}");
  const error = h("input", {type: "text", name: "error", placeholder: "Error (e.g. Rejected)"});
  const cause = h("input", {type: "text", name: "cause", placeholder: "Cause"});
  const disabled = !settings.writes;
  const send = async (operation, body, button) => {
    button.disabled = true;
    try {
      await write(operation, {taskToken: task.taskToken, ...body});
      toast(`${operation}: ${task.executionName} goes on`);
      reload();
    } catch (err) {
      toast(err.message, true);
      button.disabled = false;
    }
  };
  const approve = h("button", {class: "primary", type: "submit", name: "approve", disabled}, "Approve");
  const reject = h("button", {class: "danger", type: "submit", name: "reject", disabled}, "Reject");
  const card = h("div", {class: "card task-card", dataset: {execution: task.executionName, state: task.stateName}},
    h("div", {class: "row"}, h("strong", {}, h("a", {href: `#/execution/${encodeURIComponent(task.executionArn)}`}, task.executionName)),
      h("span", {}, `waits in ${task.stateName}`), h("span", {class: "muted"}, "for"), h("span", {class: "age"}),
      task.timeoutTime ? h("span", {class: "muted small"}, `times out ${fmtTime(task.timeoutTime)}`) : null),
    h("div", {class: "small muted"}, `${machineName(task.stateMachineArn)} · ${task.resource}`),
    h("details", {class: "params", open: true}, h("summary", {}, "What the state sent (TaskScheduled parameters)"),
      h("pre", {}, task.parametersTruncated ? task.parameters : pretty(task.parameters)),
      task.parametersTruncated ? h("div", {class: "small muted"}, "Cut here: the whole is in the execution's TaskScheduled event.") : null),
    h("details", {}, h("summary", {}, "Task token"), h("pre", {class: "token"}, task.taskToken)),
    h("div", {class: "answer"},
      h("form", {class: "approve", onsubmit: (event) => {
        event.preventDefault();
        try { JSON.parse(output.value); } catch (err) { toast(`The output must be JSON: ${err.message}`, true); return; }
        send("SendTaskSuccess", {output: output.value}, approve);
      }}, h("label", {class: "small"}, "Output (JSON)"), output, approve),
      h("form", {class: "reject", onsubmit: (event) => {
        event.preventDefault();
        const body = {};
        if (error.value) body.error = error.value;
        if (cause.value) body.cause = cause.value;
        send("SendTaskFailure", body, reject);
      }}, h("label", {class: "small"}, "Error and cause"), error, cause, reject)));
  if (disabled) for (const el of card.querySelectorAll("textarea, input")) el.disabled = true;
  return card;
}

function updateCount(n) {
  const badge = document.getElementById("inbox-count");
  badge.textContent = n;
  badge.hidden = !n;
}

// ---------------------------------------------------------------- start

window.addEventListener("hashchange", render);
loadSettings().then(render, (error) => fail(document.getElementById("view"), error));
setInterval(() => getJSON("/ui/api/tasks?kind=callback&limit=1").then(({counts}) => updateCount(counts.callback || 0), () => {}), 5000);
