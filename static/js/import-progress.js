// While a report is being read: ask for its progress every 1.5 seconds, show it, and load the
// next page when the reading has finished. Without JavaScript the "Check again" button does
// the same. A file, not an inline script, for the Content Security Policy.
(function () {
  const box = document.getElementById('import-progress')
  if (!box) return
  const bar = document.getElementById('import-progress-bar')
  const stage = document.getElementById('import-stage')
  async function check () {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: 'application/json' } })
      if (!response.ok) return
      const status = await response.json()
      bar.value = status.progress
      bar.textContent = status.progress + '%'
      if (status.stage && stage.textContent !== status.stage) stage.textContent = status.stage
      if (!status.working) { window.location.reload(); return }
    } catch (error) { /* try again on the next tick */ }
    window.setTimeout(check, 1500)
  }
  window.setTimeout(check, 1000)
})()
