// Inspection tracker: start GOV.UK Frontend's JavaScript components.
// Built copy lives at static/js/app.js (see frontend/README.md); load it with
//   <script type="module" src="{% static 'js/app.js' %}"></script>
// and put class="govuk-frontend-supported" on <body> via the usual inline snippet.
import { initAll } from './govuk-frontend.min.js'

initAll()

// The owner filter as a type-ahead (GOV.UK's accessible-autocomplete, loaded only on pages
// that have one). Without JavaScript the filter still works: a drop-down when the people to
// choose from are few, otherwise a text field that matches part of a name.
const typeaheads = document.querySelectorAll('[data-module="app-owner-typeahead"]')

// accessible-autocomplete writes each suggestion into the list as HTML: names are people's
// own text, so they go in escaped (and read back as text into the field).
function escapeHtml (text) {
  return String(text == null ? '' : text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const asText = {
  inputValue: function (value) { return value == null ? '' : String(value) },
  suggestion: escapeHtml
}

function startTypeaheads () {
  const autocomplete = window.accessibleAutocomplete
  if (!autocomplete) return
  typeaheads.forEach(function (field) {
    if (field.tagName === 'SELECT') {
      // Starts from the option chosen ("Anyone" when none).
      autocomplete.enhanceSelectElement({
        selectElement: field,
        showAllValues: true,
        templates: asText
      })
      return
    }
    // A text field: suggestions come from the server (names in the person's scope).
    const container = document.createElement('div')
    field.parentNode.insertBefore(container, field)
    const source = field.getAttribute('data-source')
    autocomplete({
      element: container,
      id: field.id,
      name: field.name,
      defaultValue: field.value,
      minLength: 2,
      showNoOptionsFound: false,
      confirmOnBlur: false,
      templates: asText,
      source: function (query, populate) {
        fetch(source + '?q=' + encodeURIComponent(query), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' }
        })
          .then(function (response) { return response.ok ? response.json() : { names: [] } })
          .then(function (data) { populate(data.names || []) })
          .catch(function () { populate([]) })
      }
    })
    const hint = field.getAttribute('aria-describedby')
    field.remove()
    const input = document.getElementById(container.querySelector('input').id)
    if (hint && input) {
      input.setAttribute('aria-describedby', (input.getAttribute('aria-describedby') || '') + ' ' + hint)
    }
  })
}

if (typeaheads.length) {
  const script = document.createElement('script')
  script.src = new URL('./accessible-autocomplete.min.js', import.meta.url).href
  script.onload = startTypeaheads
  document.head.appendChild(script)
}
