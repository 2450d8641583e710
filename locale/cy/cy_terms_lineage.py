"""Welsh drafts for issue 18's messages (lineage, national recommendations, shared learning,
the public progress register), merged into cy_terms.TRANSLATIONS by translate.py. The same
terms as cy_terms (TermCymru). TO BE CHECKED BY A TRANSLATOR BEFORE LIVE USE.
"""

TRANSLATIONS = {
    # The public progress register (templates/public/progress.html, _progress_status.html,
    # body.html)
    "Progress on the recommendations": "Cynnydd ar yr argymhellion",
    "progress on the recommendations": "cynnydd ar yr argymhellion",
    "Progress on the recommendations – %(title)s": "Cynnydd ar yr argymhellion – %(title)s",
    "Progress published": "Cynnydd wedi’i gyhoeddi",
    "Published progress table": "Tabl y cynnydd a gyhoeddwyd",
    "Published progress, newest first": "Y cynnydd a gyhoeddwyd, y diweddaraf yn gyntaf",
    "The progress the force has made on each recommendation of these reports, as the office "
    "published it.": (
        "Y cynnydd y mae’r heddlu wedi’i wneud ar bob argymhelliad yn yr adroddiadau hyn, fel "
        "y’i cyhoeddwyd gan y swyddfa."
    ),
    "Each recommendation and cause of concern of the inspection, with the progress the force "
    "has made as the office published it. The words are the office’s, approved for "
    "publication.": (
        "Pob argymhelliad ac achos pryder yn yr arolygiad, gyda’r cynnydd y mae’r heddlu wedi’i "
        "wneud fel y’i cyhoeddwyd gan y swyddfa. Geiriau’r swyddfa yw’r rhain, wedi’u "
        "cymeradwyo i’w cyhoeddi."
    ),
    "Last public update": "Diweddariad cyhoeddus diwethaf",
    "No public update yet.": "Dim diweddariad cyhoeddus eto.",
    "Progress": "Cynnydd",
    "Read the latest version": "Darllen y fersiwn ddiweddaraf",
    "This is version %(number)s, kept as it was published. A later version has been published.": (
        "Dyma fersiwn %(number)s, wedi’i chadw fel y’i cyhoeddwyd. Mae fersiwn ddiweddarach "
        "wedi’i chyhoeddi."
    ),
    "This version lists no recommendations.": (
        "Nid yw’r fersiwn hon yn rhestru unrhyw argymhellion."
    ),
    "Version %(number)s, %(day)s": "Fersiwn %(number)s, %(day)s",
    "Followed through its recommendations": "Yn cael ei ddilyn drwy ei argymhellion",
    "In progress": "Ar y gweill",
    "No progress recorded": "Dim cynnydd wedi’i gofnodi",
    "Not started": "Heb ddechrau",
    "Superseded": "Wedi’i ddisodli",
    # The navigation and the item page's new parts
    "National recommendations": "Argymhellion cenedlaethol",
    "Shared learning": "Dysgu a rannwyd",
    "Raised before": "Codwyd o’r blaen",
    "How other forces answered similar findings": (
        "Sut yr atebodd heddluoedd eraill ganfyddiadau tebyg"
    ),
    "Differs from the inspectorate": "Yn wahanol i’r arolygiaeth",
}
