// Inspection tracker: start GOV.UK Frontend's JavaScript components.
// Built copy lives at static/js/app.js (see frontend/README.md); load it with
//   <script type="module" src="{% static 'js/app.js' %}"></script>
// and put class="govuk-frontend-supported" on <body> via the usual inline snippet.
import { initAll } from './govuk-frontend.min.js'

initAll()
