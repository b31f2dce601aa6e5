// backsafe live page: camera -> pose model in this browser (MediaPipe's Tasks-API PoseLandmarker, npm
// @mediapipe/tasks-vision, served by backsafe) -> landmark numbers over a WebSocket -> rep and fault events back.
// The camera picture never leaves the phone: only the 33 body points (and their time) are sent. Plain JavaScript,
// no third-party code but the pose model. The model runs on the CPU delegate (WebAssembly + XNNPACK): on a phone
// or a machine without a usable GPU, WebGL inference (the legacy @mediapipe/pose) managed ~1 frame a second.
(function () {
  "use strict";

  var root = document.getElementById("live");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var form = $("live-form"), stage = $("live-stage"), video = $("live-video"), canvas = $("live-canvas");
  var cueEl = $("live-cue"), statusEl = $("live-status"), repEl = $("live-rep-count"), errEl = $("live-error");
  var muteBtn = $("live-mute");
  var muted = false;
  var VENDOR = "/static/vendor/mediapipe-tasks-vision/";
  // ?slow=N: the camera feed runs N times slower than life (a fake camera fed from a clip on a machine too slow to
  // run the pose model at the clip's speed); stream time is then wall time / N. Tests and `make bench` use 1.
  var slow = Math.min(20, Math.max(1, Number(new URLSearchParams(location.search).get("slow")) || 1));
  // what the page saw, for the person (and for tests): events with the time they arrived on the page
  var state = window.backsafeLive = { events: [], t0: null, t: 0, frames: 0, sent: 0, model: null, saved: null,
                                      error: null, running: false, slow: slow };

  var BONES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24], [23, 25], [25, 27],
               [24, 26], [26, 28], [27, 29], [29, 31], [27, 31], [28, 30], [30, 32], [28, 32], [0, 11], [0, 12]];

  function showError(msg) {
    state.error = msg;
    errEl.textContent = msg;
    errEl.hidden = false;
  }

  function pickModel() {
    var chosen = $("live-model").value;
    if (chosen !== "auto") { return chosen; }
    // the lite model on phones and small machines; the full one where there is room (heavy only if asked)
    var cores = navigator.hardwareConcurrency || 2;
    var mem = navigator.deviceMemory || 4;
    var mobile = /Android|iPhone|iPad|Mobile/i.test(navigator.userAgent);
    return (mobile || cores <= 4 || mem <= 2) ? "lite" : "full";
  }

  function speak(text) {
    if (muted || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") { return; }
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice: the cue is on screen */ }
  }

  // one cue at a time: a new one replaces the shown one only after it was up for a moment
  var cueUntil = 0, pendingCue = null;
  function cue(text, important) {
    var now = performance.now();
    if (now < cueUntil && !important) { pendingCue = text; return; }
    cueEl.textContent = text;
    cueUntil = now + 2500;
    speak(text);
  }
  setInterval(function () {
    if (pendingCue && performance.now() >= cueUntil) { var c = pendingCue; pendingCue = null; cue(c, false); }
  }, 300);

  muteBtn.addEventListener("click", function () {
    muted = !muted;
    muteBtn.setAttribute("aria-pressed", muted ? "true" : "false");
    muteBtn.textContent = muted ? "Sound off" : "Sound on";
    if (muted && "speechSynthesis" in window) { window.speechSynthesis.cancel(); }
  });

  function draw(lms, others) {
    var w = canvas.width = video.videoWidth || 640, h = canvas.height = video.videoHeight || 480;
    var ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    if (others && others.length) {  // the people not coached: a faint box each
      ctx.lineWidth = Math.max(1, w / 320);
      ctx.strokeStyle = "rgba(255, 255, 255, 0.35)";
      others.forEach(function (b) { ctx.strokeRect(b.x0 * w, b.y0 * h, (b.x1 - b.x0) * w, (b.y1 - b.y0) * h); });
    }
    if (!lms) { return; }
    ctx.lineWidth = Math.max(2, w / 160);
    ctx.strokeStyle = "#3fb950";
    BONES.forEach(function (b) {
      var p = lms[b[0]], q = lms[b[1]];
      if (p.visibility < 0.5 || q.visibility < 0.5) { return; }
      ctx.beginPath(); ctx.moveTo(p.x * w, p.y * h); ctx.lineTo(q.x * w, q.y * h); ctx.stroke();
    });
    ctx.fillStyle = "#ffffff";
    lms.forEach(function (p, i) {
      if (i < 11 || p.visibility < 0.5) { return; }
      ctx.beginPath(); ctx.arc(p.x * w, p.y * h, ctx.lineWidth * 1.2, 0, 2 * Math.PI); ctx.fill();
    });
  }

  // each sent frame's stream time (ms precision, as sent) -> performance.now() when the page got that frame
  var frameWall = state.frameWall = {};
  // the camera frame's own time (requestVideoFrameCallback's mediaTime) where the browser gives it: the clock of
  // the pictures, not of the page, so a busy phone does not stretch the set's time line
  var frameClock = { first: null };
  // calls onFrame(wall ms, media s or null) once per new camera frame: on the frame itself where the browser says
  // when one arrives (requestVideoFrameCallback), else on the next animation frame after the picture changed
  function eachFrame(onFrame, running) {
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
      var cb = function (now, meta) {
        if (!running()) { return; }
        onFrame(now, meta.mediaTime);
        video.requestVideoFrameCallback(cb);
      };
      video.requestVideoFrameCallback(cb);
      return;
    }
    var lastMedia = -1;
    var tick = function () {
      if (!running()) { return; }
      if (video.readyState >= 2 && video.currentTime !== lastMedia) {
        lastMedia = video.currentTime;
        onFrame(performance.now(), null);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  // who to coach when several people are in view (DESIGN.md: the person choice of the CLI, batch, web and live):
  // "auto" keeps the one person the model finds (numPoses 1: today's cost); any other rule runs the model for up to
  // MAX_POSES people, picks one on the first frame with people and then follows that one, never someone else.
  // Boxes and points are fractions of the video's own frame (landmark coordinates), not of the page.
  var MAX_POSES = 3, FOLLOW_IOU = 0.3, LOST_AFTER_S = 1, TAP_WAIT_S = 1;
  var chooser = { rule: "auto", point: null, box: null, seenT: null, tap: null };
  state.person = { choice: "auto", point: null, chosen: 0, lost: false, tapped: [] };

  function box(lms) {
    var pts = lms.filter(function (p) { return (p.visibility || 0) >= 0.3; });
    if (pts.length < 3) { pts = lms; }
    var b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    pts.forEach(function (p) {
      b.x0 = Math.min(b.x0, p.x); b.x1 = Math.max(b.x1, p.x); b.y0 = Math.min(b.y0, p.y); b.y1 = Math.max(b.y1, p.y);
    });
    b.cx = (b.x0 + b.x1) / 2; b.cy = (b.y0 + b.y1) / 2;
    return b;
  }

  function iou(a, b) {
    var w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (w <= 0 || h <= 0) { return 0; }
    var inter = w * h;
    return inter / ((a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter);
  }

  function dist(b, x, y) { return Math.hypot(b.cx - x, b.cy - y); }

  // the index of the best box by score (the lowest wins)
  function best(boxes, score) {
    var k = -1, s = Infinity;
    boxes.forEach(function (b, i) { var v = score(b); if (v < s) { s = v; k = i; } });
    return k;
  }

  function pickByRule(boxes) {
    var r = chooser.rule;
    if (r === "largest") { return best(boxes, function (b) { return -(b.y1 - b.y0); }); }
    if (r === "left") { return best(boxes, function (b) { return b.cx; }); }
    if (r === "right") { return best(boxes, function (b) { return -b.cx; }); }
    return best(boxes, function (b) { return dist(b, 0.5, 0.5); });  // center
  }

  // the pose that is the followed person: the most overlap with their last box, else the nearest centre within
  // about half their size; -1 when none is them
  function follow(boxes) {
    var last = chooser.box;
    var k = best(boxes, function (b) { var o = iou(b, last); return o >= FOLLOW_IOU ? -o : Infinity; });
    if (k >= 0) { return k; }
    var limit = 0.5 * Math.max(last.x1 - last.x0, last.y1 - last.y0) + 0.05;
    return best(boxes, function (b) { var d = dist(b, last.cx, last.cy); return d <= limit ? d : Infinity; });
  }

  // which of the model's poses to coach this frame (-1: none), and the boxes of the others
  function choosePerson(poses, t) {
    state.person.people = poses.length;
    var boxes = poses.map(box), k = -1, tap = chooser.tap;
    if (tap) {  // a tap: the one whose box holds the point, else the nearest (after a moment if the model was just
                // asked for several people: it may not have found them all yet)
      k = best(boxes, function (b) {
        return tap.x >= b.x0 && tap.x <= b.x1 && tap.y >= b.y0 && tap.y <= b.y1 ? dist(b, tap.x, tap.y) : Infinity;
      });
      if (k < 0 && (!tap.wait || t - tap.t > TAP_WAIT_S)) { k = best(boxes, function (b) { return dist(b, tap.x, tap.y); }); }
      if (k >= 0) {
        chooser.tap = null;
        chooser.rule = state.person.choice = "point";
        chooser.point = state.person.point = { x: tap.x, y: tap.y };
      }
    }
    if (k < 0) {  // meanwhile the one coached so far
      if (chooser.rule === "auto") { return { index: poses.length ? 0 : -1, others: boxes.slice(1) }; }
      k = chooser.box ? follow(boxes) : (boxes.length ? pickByRule(boxes) : -1);
    }
    if (k >= 0) {
      chooser.box = boxes[k];
      chooser.seenT = t;
      state.person.chosen += 1;
      setLost(false);
    } else if (chooser.box && t - chooser.seenT > LOST_AFTER_S) {
      setLost(true);  // and keep waiting for them near their last box
    }
    return { index: k, others: boxes.filter(function (b, i) { return i !== k; }) };
  }

  function setLost(lost) {
    if (state.person.lost === lost) { return; }
    state.person.lost = lost;
    $("live-person-lost").hidden = !lost;
    if (lost) { cue("The person you chose is out of view", false); }
  }

  // a tap on the video: the point in fractions of the video's frame (the picture is drawn object-fit: contain, so
  // bars round it are left out; a front camera's preview is mirrored by the CSS, so x is turned back), or null
  function tapPoint(ev) {
    var r = video.getBoundingClientRect(), vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh || !r.width || !r.height) { return null; }
    var scale = Math.min(r.width / vw, r.height / vh), w = vw * scale, h = vh * scale;
    var x = (ev.clientX - r.left - (r.width - w) / 2) / w, y = (ev.clientY - r.top - (r.height - h) / 2) / h;
    if (x < 0 || x > 1 || y < 0 || y > 1) { return null; }
    if (stage.classList.contains("mirrored")) { x = 1 - x; }
    return { x: Math.round(x * 1000) / 1000, y: Math.round(y * 1000) / 1000 };
  }

  function round(x) { return Math.round(x * 1e5) / 1e5; }

  function onEvent(ev) {
    ev.page_ms = performance.now();
    var shownAt = typeof ev.end_s === "number" ? frameWall[ev.end_s.toFixed(3)] : undefined;
    if (shownAt !== undefined) {
      // wall-clock seconds from the moment the rep's end frame reached the page to this event on the page
      ev.page_latency_s = Math.round(ev.page_ms - shownAt) / 1000;
    }
    var detectedAt = typeof ev.detected_at_s === "number" ? frameWall[ev.detected_at_s.toFixed(3)] : undefined;
    if (detectedAt !== undefined) {
      // of which: from the frame that completed the rep reaching the page (pose in the page, the socket, the
      // server's analysis) to the event; the rest is the movement the engine must see to know the rep ended
      ev.page_processing_s = Math.round(ev.page_ms - detectedAt) / 1000;
    }
    state.events.push(ev);
    if (ev.event === "rep") {
      repEl.textContent = String(ev.rep);
      cue("Rep " + ev.rep + " done", false);  // a fault of this rep, sent right after, replaces it at once
      return;
    }
    if (ev.event === "fault") { cue(ev.cue || ev.code, true); return; }
    if (ev.event === "ready") { statusEl.textContent = "coaching with the " + ev.model + " model"; return; }
    if (ev.event === "error") { showError(ev.detail); return; }
    if (ev.event === "saved") {
      state.saved = ev;
      stage.hidden = true;
      $("live-done").hidden = false;
      $("live-saved-reps").textContent = String(ev.rep_count);
      $("live-saved-model").textContent = ev.model;
      var top = ev.top_cue || "No fault found in this set: keep it up.";
      $("live-saved-cue").textContent = top;
      cueEl.textContent = top;
      speak(top);
      var ex = encodeURIComponent(ev.exercise), id = encodeURIComponent(ev.report_id);
      var load = $("live-load").value.trim();
      $("live-log").setAttribute("href", "/log?report=" + id + "&exercise=" + ex +
                                 (load ? "&load=" + encodeURIComponent(load) : ""));
      $("live-report").setAttribute("href", "/reports/" + id);
    }
  }

  function loadModel(model, numPoses) {
    // the ES module by dynamic import (this page's CSP: script-src 'self' 'wasm-unsafe-eval'), then the WebAssembly
    // runtime it picks (SIMD or not) and the model bundle, all from this server
    return import(VENDOR + "vision_bundle.mjs").catch(function () {
      throw new Error("the pose model is not installed on this server (run `make web-assets`)");
    }).then(function (vision) {
      return vision.FilesetResolver.forVisionTasks(VENDOR + "wasm").then(function (files) {
        return vision.PoseLandmarker.createFromOptions(files, {
          baseOptions: { modelAssetPath: VENDOR + "pose_landmarker_" + model + ".task", delegate: "CPU" },
          runningMode: "VIDEO", numPoses: numPoses, minPoseDetectionConfidence: 0.5, minPosePresenceConfidence: 0.5,
          minTrackingConfidence: 0.5, outputSegmentationMasks: false });
      });
    });
  }

  function start(e) {
    e.preventDefault();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showError("This browser gives no camera here: open the page over https (or on this machine).");
      return;
    }
    var model = state.model = pickModel();
    var facing = $("live-facing").value;
    chooser.rule = state.person.choice = $("live-person").value;
    form.hidden = true;
    stage.hidden = false;
    $("live-privacy").hidden = true;
    stage.scrollIntoView();
    stage.classList.toggle("mirrored", facing === "user");
    statusEl.textContent = "loading the " + model + " pose model…";
    var landmarker = null;
    loadModel(model, chooser.rule === "auto" ? 1 : MAX_POSES)
      .then(function (lm) {
        landmarker = lm;
        // warm the model on a blank picture first, so the set's first frames are not lost to the loading
        var blank = document.createElement("canvas");
        blank.width = 64; blank.height = 64;
        blank.getContext("2d").fillRect(0, 0, 64, 64);
        landmarker.detectForVideo(blank, performance.now());
        statusEl.textContent = "starting the camera…";
        return navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: facing,
          width: { ideal: 640 }, height: { ideal: 640 } } });
      })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play().then(function () { return stream; });
      })
      .then(function (stream) { run(stream, landmarker, model, facing); })
      .catch(function (err) { showError("The camera or the pose model could not start: " + (err && err.message || err)); });
  }

  function run(stream, landmarker, model, facing) {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/live/ws");
    var ready = false, ended = false, lastT = -1, lastTs = performance.now();  // after the warm-up's

    ws.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (x) { return; }
      if (ev.event === "ready") { ready = true; }
      onEvent(ev);
    };
    ws.onerror = function () { if (!state.saved) { showError("The connection to the server failed."); } };
    ws.onclose = function () { state.running = false; };
    ws.onopen = function () {
      var load = $("live-load").value.trim();
      ws.send(JSON.stringify({ type: "start", csrf_token: root.getAttribute("data-csrf"),
                               exercise: $("live-exercise").value, load_kg: load ? Number(load) : null,
                               tempo: $("live-tempo").value.trim() || null, model: model,
                               reference_id: $("live-reference").value || null, facing: facing,
                               width: video.videoWidth, height: video.videoHeight }));
    };

    function stop() {
      if (ended) { return; }
      ended = true;
      state.running = false;
      statusEl.textContent = "saving the set…";
      stream.getTracks().forEach(function (t) { t.stop(); });
      if (ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify({ type: "end" })); }
      try { landmarker.close(); } catch (x) { /* already closed */ }
    }
    $("live-stop").addEventListener("click", stop);
    state.stop = stop;

    // a tap on a person in the video coaches them from now on (the model is asked for several people first if it
    // ran for one: frames are skipped until it is ready)
    var reconfiguring = false, multi = chooser.rule !== "auto";
    video.addEventListener("click", function (ev) {
      var pt = tapPoint(ev);
      if (!pt || ended) { return; }
      // the person there is followed from the first frame that shows them (choosePerson)
      chooser.tap = { x: pt.x, y: pt.y, t: state.t, people: state.person.people || 0, wait: !multi };
      state.person.tapped.push(chooser.tap);
      if (!multi) {
        multi = true;
        reconfiguring = true;
        landmarker.setOptions({ numPoses: MAX_POSES }).then(function () { reconfiguring = false; }, function (err) {
          showError("The pose model could not look for several people: " + (err && err.message || err));
          stop();
        });
      }
    });

    // one camera frame: the pose model (synchronous, ~25 ms for the lite model on one core of a small machine),
    // then its landmarks to the server at once; frames that arrive while the model runs are skipped by the browser
    function onFrame(now, media) {
      var t;
      if (media !== null) {
        if (frameClock.first === null) { frameClock.first = media; state.t0 = now; }
        t = (media - frameClock.first) / slow;
      } else {
        if (state.t0 === null) { state.t0 = now; }
        t = (now - state.t0) / 1000 / slow;
      }
      // compared as sent (to the millisecond): two frames under 0.5 ms apart were sent with the same t, which the
      // server refuses (its times must increase)
      t = Math.round(t * 1000) / 1000;
      if (t <= lastT || video.readyState < 2 || reconfiguring) { return; }
      var res;
      try {
        lastTs = Math.max(now, lastTs + 1);  // the model's clock: milliseconds, strictly increasing
        res = landmarker.detectForVideo(video, lastTs);
      } catch (err) {
        showError("The pose model failed: " + (err && err.message || err));
        stop();
        return;
      }
      lastT = t;
      state.frames += 1;
      state.t = t;
      var tSent = Math.round(t * 1000) / 1000;
      frameWall[tSent.toFixed(3)] = now;
      statusEl.setAttribute("data-t", t.toFixed(2));
      var who = choosePerson(res.landmarks || [], t);
      var lm = who.index >= 0 ? res.landmarks[who.index] : null;
      var wl = who.index >= 0 && res.worldLandmarks ? res.worldLandmarks[who.index] : null;
      draw(lm, who.others);
      if (ready && !ended && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({
          type: "frame", t: tSent,
          lm: lm ? lm.map(function (p) { return [round(p.x), round(p.y), round(p.z), round(p.visibility || 0)]; }) : null,
          world: (lm && wl) ? wl.map(function (p) { return [round(p.x), round(p.y), round(p.z)]; }) : null
        }));
        state.sent += 1;
      }
    }
    state.running = true;
    eachFrame(onFrame, function () { return !ended; });
  }

  form.addEventListener("submit", start);
  // keep the pose model on the phone after the first visit (static/sw.js caches only its files)
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the model is then fetched each time */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && state.running && state.stop) { state.stop(); }
  });
})();
