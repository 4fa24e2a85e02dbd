"use strict";
// shieldwall viewer: a CesiumJS globe (bundled Natural Earth II imagery, no Ion token, render on
// request) replaying one logged trial of a run as CZML served by `shieldwall serve`.

Cesium.Ion.defaultAccessToken = "";

const $ = (id) => document.getElementById(id);
const state = {
  viewer: null, source: null, run: null, info: null,
  imageryReady: false, loaded: null, replayMs: null, error: null,
};
window.shieldwall = state;  // read by the browser tests

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) {
    const err = new Error(body.detail || response.statusText);
    err.body = body;
    throw err;
  }
  return body;
}

function text(el, value) { el.textContent = value == null ? "" : String(value); }

function initGlobe() {
  const imagery = Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII")));
  const viewer = new Cesium.Viewer("globe", {
    baseLayer: imagery,
    baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
    navigationHelpButton: false, fullscreenButton: false, infoBox: true,
    selectionIndicator: true, animation: true, timeline: true,
    requestRenderMode: true,  // render only when something changes (the clock, the camera)
  });
  viewer.clock.shouldAnimate = false;
  viewer.scene.postRender.addEventListener(() => {
    if (!state.imageryReady && viewer.scene.globe.tilesLoaded) state.imageryReady = true;
  });
  state.viewer = viewer;
  Cesium.GeoJsonDataSource.load("/api/borders", {
    stroke: Cesium.Color.WHITE.withAlpha(0.55), strokeWidth: 1,
  }).then((borders) => { viewer.dataSources.add(borders); viewer.scene.requestRender(); })
    .catch((e) => console.warn("borders", e));
}

state.countAt = function countAt(iso) {
  // entities of the replay available at an ISO time, by kind (threat, flyout, intercept, ...)
  const t = Cesium.JulianDate.fromIso8601(iso);
  const counts = {};
  if (!state.source) return counts;
  for (const e of state.source.entities.values) {
    if (e.isAvailable(t)) {
      const kind = e.id.split("/")[0];
      counts[kind] = (counts[kind] || 0) + 1;
    }
  }
  return counts;
};

async function loadReplay() {
  const id = state.run;
  const policy = $("policy").value;
  const trial = $("trial").value;
  const t0 = performance.now();
  text($("status"), "loading replay…");
  const url = `/api/runs/${encodeURIComponent(id)}/czml?` + new URLSearchParams({ policy, trial });
  try {
    const source = await Cesium.CzmlDataSource.load(url);
    const viewer = state.viewer;
    if (state.source) viewer.dataSources.remove(state.source, true);
    await viewer.dataSources.add(source);
    state.source = source;
    viewer.clockTrackedDataSource = source;
    viewer.clock.shouldAnimate = false;
    await viewer.zoomTo(source);
    viewer.scene.requestRender();
    state.replayMs = performance.now() - t0;
    state.loaded = `${id}|${policy}|${trial}`;
    text($("status"), `${source.entities.values.length} objects; press ▶ to replay ` +
      `(loaded in ${(state.replayMs / 1000).toFixed(1)} s)`);
  } catch (e) {
    state.error = e.message;
    text($("status"), `cannot load the replay: ${e.message}`);
  }
}

function charts(info) {
  const box = $("charts");
  box.replaceChildren();
  const names = info.kind === "study" ? ["study"] : ["policies", "survival"];
  for (const name of names) {
    if (name === "policies" && (info.policies || []).length < 2) continue;
    const img = document.createElement("img");
    img.alt = name;
    img.src = `/api/runs/${encodeURIComponent(state.run)}/charts/${name}.png`;
    box.appendChild(img);
  }
}

async function openRun(id) {
  const info = await api(`/api/runs/${encodeURIComponent(id)}`);
  state.run = id;
  state.info = info;
  for (const li of $("runs").children) li.classList.toggle("active", li.dataset.id === id);
  $("run-view").hidden = false;
  text($("run-title"), info.scenario);
  text($("run-meta"), `${info.kind} · phase ${info.phase || ""} · ${info.trials} trials · seed ${info.seed}`);
  const policy = $("policy");
  policy.replaceChildren(...(info.policies || []).map((p) => new Option(p, p)));
  const trial = $("trial");
  const n = info.event_trials || 0;
  trial.replaceChildren(...Array.from({ length: n }, (_, k) => new Option(String(k), String(k))));
  charts(info);
  if (info.kind !== "study" && n > 0) await loadReplay();
}

async function refreshRuns(select) {
  const list = $("runs");
  try {
    const runs = await api("/api/runs");
    list.replaceChildren();
    for (const run of runs) {
      const li = document.createElement("li");
      li.dataset.id = run.run_id;
      text(li, `${run.run_id}`);
      li.title = `${run.scenario} · ${(run.policies || []).join(", ")}`;
      li.addEventListener("click", () => openRun(run.run_id));
      list.appendChild(li);
    }
    if (!runs.length) list.innerHTML = "<li class='note'>no runs yet</li>";
    if (select) await openRun(select);
  } catch (e) {
    text(list, `cannot list runs: ${e.message}`);
  }
}

async function upload() {
  const file = $("file").files[0];
  if (!file) throw new Error("choose a scenario file first");
  return { name: file.name, text: await file.text() };
}

function showProblems(problems, ok) {
  const box = $("problems");
  box.classList.toggle("ok", !!ok);
  text(box, problems.length ? problems.map((p) => p.text).join("\n") : (ok ? "valid" : ""));
}

async function validate() {
  try {
    const result = await api("/api/validate", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(await upload()),
    });
    showProblems(result.problems, result.ok);
    return result.ok;
  } catch (e) {
    showProblems([{ text: e.message }], false);
    return false;
  }
}

async function runUpload() {
  if (!(await validate())) return;
  try {
    const body = { ...(await upload()), policy: $("up-policy").value,
                   trials: Number($("up-trials").value) };
    let job = await api("/api/jobs", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    showProblems([{ text: `job ${job.id}: ${job.status}` }], true);
    while (job.status === "queued" || job.status === "running") {
      await new Promise((r) => setTimeout(r, 1000));
      job = await api(`/api/jobs/${job.id}`);
      showProblems([{ text: `job ${job.id}: ${job.status}` }], true);
    }
    if (job.status === "done") await refreshRuns(job.run_id);
    else showProblems(job.problems.length ? job.problems : [{ text: job.detail }], false);
  } catch (e) {
    showProblems([{ text: e.message }], false);
  }
}

state.loadReplay = loadReplay;
initGlobe();
$("policy").addEventListener("change", loadReplay);
$("trial").addEventListener("change", loadReplay);
$("validate").addEventListener("click", validate);
$("run").addEventListener("click", runUpload);
const wanted = new URLSearchParams(location.search).get("run");
refreshRuns(wanted);
