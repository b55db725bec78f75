/* claimscope web app: batch progress, file drop, busy state. Builds no HTML from strings:
   every text from the server goes in through textContent. */
(function () {
  'use strict';
  var form = document.querySelector('form.analyze[action="/analyze"]');
  if (form) {
    form.addEventListener('submit', function () {
      var busy = form.querySelector('.busy');
      if (busy) { busy.hidden = false; }
      var button = form.querySelector('button[type=submit]');
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  }
  var drop = document.getElementById('drop');
  var input = document.getElementById('files');
  if (drop && input) {
    ['dragenter', 'dragover'].forEach(function (name) {
      drop.addEventListener(name, function (ev) { ev.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; }
    });
  }
  var job = document.getElementById('job');
  if (job) {
    var id = job.dataset.job;
    var poll = function () {
      fetch('/api/jobs/' + encodeURIComponent(id), {headers: {'Accept': 'application/json'}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.error) { document.getElementById('job-state').textContent = data.error.message; return; }
          var bar = document.getElementById('job-progress');
          bar.max = data.total; bar.value = data.done;
          document.getElementById('job-count').textContent = data.done + ' of ' + data.total;
          document.getElementById('job-state').textContent = data.state;
          var list = document.getElementById('job-articles');
          list.replaceChildren.apply(list, data.articles.map(function (a) {
            var li = document.createElement('li');
            var link = document.createElement('a');
            link.href = '/articles/' + encodeURIComponent(a.id);
            link.textContent = a.title;
            li.appendChild(link);
            return li;
          }));
          var errors = document.getElementById('job-errors');
          errors.replaceChildren.apply(errors, data.errors.map(function (e) {
            var li = document.createElement('li');
            var code = document.createElement('code');
            code.textContent = e.code || '';
            li.appendChild(code);
            li.appendChild(document.createTextNode(' ' + (e.message || '')));
            return li;
          }));
          if (data.state === 'queued' || data.state === 'running') { setTimeout(poll, 600); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();
