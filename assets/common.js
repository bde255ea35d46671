// Shared by the dashboard and the workspace: the message table, GraphQL calls with the
// bearer token from sessionStorage (never a cookie), sign-in and sign-out, formatting.
(function () {
  "use strict";
  var app = document.getElementById("app");
  var M = JSON.parse(app.dataset.messages);
  var TOKEN = "talent-registry.token";

  function token() { return sessionStorage.getItem(TOKEN); }

  // A GraphQL error as a JS error carrying the API's code.
  function failure(errors) {
    var first = errors[0] || {};
    var err = new Error(first.message || "error");
    err.code = (first.extensions && first.extensions.code) || "";
    err.errors = errors;
    return err;
  }

  function send(body, headers) {
    var t = token();
    if (t) { headers.Authorization = "Bearer " + t; }
    headers.Accept = "application/json";
    return fetch("/graphql", { method: "POST", headers: headers, body: body, credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.errors && answer.errors.length) { throw failure(answer.errors); }
        return answer.data;
      });
  }

  // One operation as JSON.
  function gql(query, variables) {
    return send(JSON.stringify({ query: query, variables: variables || {} }),
      { "Content-Type": "application/json" });
  }

  // One operation with a file, as a GraphQL multipart request: the file goes in at
  // `path` (for example "in.file") of the variables.
  function upload(query, variables, path, file) {
    var form = new FormData();
    form.append("operations", JSON.stringify({ query: query, variables: variables }));
    var map = {};
    map["0"] = ["variables." + path];
    form.append("map", JSON.stringify(map));
    form.append("0", file, file.name);
    return send(form, {});
  }

  // A file from a route that needs the bearer token, offered as a download.
  function download(path) {
    return fetch(path, { headers: { Authorization: "Bearer " + token() }, credentials: "omit" })
      .then(function (r) {
        if (!r.ok) { return r.text().then(function (t) { throw new Error(t); }); }
        var name = (r.headers.get("Content-Disposition") || "").replace(/^.*filename="([^"]+)".*$/, "$1");
        return r.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = name || "export.csv";
          document.body.appendChild(a);
          a.click();
          setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        });
      });
  }

  // Builds an element: el("td", {class: "num"}, ["3,000"]). Text is never parsed as HTML.
  function el(tag, attrs, children) {
    var node = tag.indexOf("svg:") === 0
      ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
      : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    });
    return node;
  }

  function table(node, head, rows, numeric) {
    node.textContent = "";
    var isNum = function (i) { return (numeric || []).indexOf(i) >= 0; };
    node.appendChild(el("thead", {}, [el("tr", {}, head.map(function (h, i) {
      return el("th", { class: isNum(i) ? "num" : null, scope: "col" }, [h]);
    }))]));
    node.appendChild(el("tbody", {}, rows.map(function (row) {
      var cls = row.className || null;
      return el("tr", { class: cls }, row.map(function (cell, i) {
        return el("td", { class: isNum(i) ? "num" : null }, [cell]);
      }));
    })));
  }

  var fmt = {
    int: function (n) { return Number(n).toLocaleString("en-US", { maximumFractionDigits: 0 }); },
    pct: function (r) { return (Math.round(r * 1000) / 10).toFixed(1) + "%"; },
    date: function (d) { return d ? String(d).slice(0, 10) : M.none; },
    vocab: function (prefix, value) { return M[prefix + "_" + value] || value; }
  };

  function status(text, isError) {
    var node = document.getElementById("status");
    node.textContent = text || "";
    node.className = isError ? "status error" : "status";
  }

  // The text of a failed call, in the page's language where the code has one.
  function explain(err) {
    if (err.code === "FORBIDDEN") { return M.forbidden; }
    if (err.code === "PASSWORD_CHANGE_REQUIRED") { return M.password_change; }
    return M.request_failed + err.message;
  }

  var ME = "{ me { username role mustChangePassword institution { id name } } }";

  function show(user, onReady) {
    document.getElementById("signin").hidden = true;
    document.getElementById("session").hidden = false;
    document.getElementById("who").textContent = M.signed_in_as + user.username + " (" + user.role + ")";
    document.getElementById("scope").textContent = user.institution ? user.institution.name : M.scope_city;
    if (user.mustChangePassword) { status(M.password_change, true); return; }
    document.getElementById("content").hidden = false;
    status("");
    onReady(user);
  }

  function signedOut() {
    sessionStorage.removeItem(TOKEN);
    document.getElementById("content").hidden = true;
    document.getElementById("session").hidden = true;
    document.getElementById("signin").hidden = false;
    status("");
  }

  // Shows the sign-in form, or calls onReady(user) once signed in.
  function start(onReady) {
    var form = document.getElementById("signin");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var error = document.getElementById("signin-error");
      error.textContent = "";
      var input = { username: form.username.value.trim(), password: form.password.value };
      gql("mutation($in: LoginInput!) { login(input: $in) { token user { username role mustChangePassword institution { id name } } } }", { "in": input })
        .then(function (data) {
          sessionStorage.setItem(TOKEN, data.login.token);
          form.password.value = "";
          show(data.login.user, onReady);
        })
        .catch(function (err) {
          error.textContent = err.code === "RATE_LIMITED" ? M.signin_limited
            : err.code === "UNAUTHENTICATED" || err.code === "BAD_USER_INPUT" ? M.signin_failed : explain(err);
        });
    });
    document.getElementById("signout").addEventListener("click", function () {
      gql("mutation { logout }").catch(function () { return null; }).then(signedOut);
    });
    if (!token()) { signedOut(); return; }
    status(M.loading);
    gql(ME).then(function (data) {
      if (data.me) { show(data.me, onReady); } else { signedOut(); }
    }).catch(function () { signedOut(); });
  }

  window.Talent = {
    M: M, lang: document.body.dataset.lang, gql: gql, upload: upload, download: download,
    el: el, table: table, fmt: fmt, status: status, explain: explain, start: start
  };
})();
