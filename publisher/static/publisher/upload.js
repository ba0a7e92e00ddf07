/* Upload each file in its own request so each has its own progress bar and its own result. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("id_file");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("file-list");
  var summary = document.getElementById("upload-summary");
  var kind = document.getElementById("id_kind");
  var claimantField = document.getElementById("claimant-field");
  var maxFiles = parseInt(form.dataset.maxFiles || "50", 10);
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var PARALLEL = 3;
  var tally = { accepted: 0, duplicate: 0, refused: 0 };

  function showClaimant() { claimantField.hidden = kind.value !== "expense"; }
  kind.addEventListener("change", showClaimant);
  showClaimant();

  function row(file) {
    var li = document.createElement("li");
    li.innerHTML = '<span class="name"></span><span class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"><span></span></span><span class="outcome muted">Waiting…</span>';
    li.querySelector(".name").textContent = file.name;
    list.appendChild(li);
    return li;
  }

  function settle(li, status, message, url) {
    li.className = status;
    li.querySelector(".progress > span").style.width = "100%";
    var outcome = li.querySelector(".outcome");
    outcome.className = "outcome " + status;
    outcome.textContent = message;
    if (url) {
      var name = li.querySelector(".name");
      var a = document.createElement("a");
      a.href = url; a.textContent = name.textContent;
      name.textContent = ""; name.appendChild(a);
    }
    tally[status] = (tally[status] || 0) + 1;
    summary.hidden = false;
    summary.innerHTML = "";
    var text = document.createElement("span");
    text.textContent = tally.accepted + " accepted · " + tally.duplicate + " duplicate · " + tally.refused + " refused. ";
    var link = document.createElement("a");
    link.href = form.dataset.inbox || "../"; link.textContent = "Open the inbox";
    summary.appendChild(text); summary.appendChild(link);
  }

  function send(file, li) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("kind", kind.value);
      data.append("claimant", document.getElementById("id_claimant").value);
      if (document.getElementById("id_split_pages").checked) data.append("split_pages", "on");
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      var bar = li.querySelector(".progress > span");
      li.querySelector(".outcome").textContent = "Uploading…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          var pct = Math.round(100 * e.loaded / e.total);
          bar.style.width = pct + "%";
          li.querySelector(".progress").setAttribute("aria-valuenow", pct);
          if (pct === 100) li.querySelector(".outcome").textContent = "Checking…";
        }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 200 && body && body.results) {
          body.results.forEach(function (r, i) {
            var target = li;
            if (i > 0) { target = row({ name: r.name }); }
            else if (body.results.length > 1) { target.querySelector(".name").textContent = r.name; }
            settle(target, r.status, r.message, r.url);
          });
          if (!body.results.length) settle(li, "refused", "Nothing was stored.");
        } else if (body && body.errors) {
          settle(li, "refused", Object.keys(body.errors).map(function (k) { return body.errors[k]; }).join(" "));
        } else if (xhr.status === 413) {
          settle(li, "refused", "The file is too large.");
        } else {
          settle(li, "refused", "The upload failed (" + xhr.status + "). Try this file again.");
        }
        resolve();
      };
      xhr.onerror = function () { settle(li, "refused", "The connection dropped. Try this file again."); resolve(); };
      xhr.send(data);
    });
  }

  function start(files) {
    files = Array.prototype.slice.call(files);
    if (kind.value === "expense" && !document.getElementById("id_claimant").value.trim()) {
      document.getElementById("id_claimant").focus();
      window.alert("An expense claim needs the name of the person claiming.");
      return;
    }
    if (files.length > maxFiles) {
      window.alert("Up to " + maxFiles + " files at a time, please: the first " + maxFiles + " will be uploaded.");
      files = files.slice(0, maxFiles);
    }
    var queue = files.map(function (f) { return { file: f, li: row(f) }; });
    function next() {
      var item = queue.shift();
      if (!item) return Promise.resolve();
      return send(item.file, item.li).then(next);
    }
    for (var i = 0; i < PARALLEL; i++) next();
  }

  input.addEventListener("change", function () { start(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files.length) start(e.dataTransfer.files); });
  form.addEventListener("submit", function (e) { e.preventDefault(); if (input.files.length) start(input.files); });
})();
