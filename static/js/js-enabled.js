// GOV.UK Frontend's "JavaScript is on" classes, set before the page paints. A file rather than
// an inline script, so the Content Security Policy can refuse every inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
