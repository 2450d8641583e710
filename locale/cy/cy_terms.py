"""The first Welsh draft of the tracker's messages, by English msgid (translate.py puts them
in django.po where it has no Welsh yet; the .po is what the app reads, and where a
translator's corrections go).

Fixed phrases follow TermCymru, the Welsh Government's term base:
Police and Crime Commissioner = Comisiynydd Heddlu a Throseddu (CHTh); chief constable =
prif gwnstabl; Home Secretary = Ysgrifennydd Cartref; local policing body = corff plismona
lleol; recommendation = argymhelliad; area for improvement = maes i’w wella; cause of concern
= achos pryder; inspection = arolygiad; response = ymateb; deadline = dyddiad cau; Crown
copyright = Hawlfraint y Goron; Open Government Licence = Trwydded Llywodraeth Agored;
Police Act 1996 = Deddf yr Heddlu 1996; Policing and Crime Act 2017 = Deddf Plismona a
Throseddu 2017. Welsh uses the singular noun after a numeral; "dau" (2) softens it
(2 ddiwrnod). THE WHOLE CATALOGUE IS TO BE CHECKED BY A TRANSLATOR BEFORE LIVE USE.
"""

# Plural forms: [zero, one, two, few (3), many (6), other].


def _same(text: str) -> list[str]:
    return [text] * 6


def _soft_two(text: str, two: str) -> list[str]:
    """The same words for every number but two, whose noun takes the soft mutation."""
    return [text, text, two, text, text, text]


TRANSLATIONS: dict[str, str | list[str]] = {
    # The page frame (templates/base.html) and shared parts ------------------------------------
    "Skip to main content": "Neidio i’r prif gynnwys",
    "Search the tracker": "Chwilio’r traciwr",
    "Search": "Chwilio",
    "Service menu": "Dewislen y gwasanaeth",
    "Menu": "Dewislen",
    "Demo": "Arddangosiad",
    "This is a demonstration with sample data. Do not enter real information.": (
        "Arddangosiad yw hwn gyda data enghreifftiol. Peidiwch â rhoi gwybodaeth go iawn."
    ),
    "Signed in as": "Wedi mewngofnodi fel",
    "Notifications": "Hysbysiadau",
    "unread": "heb eu darllen",
    "Email settings": "Gosodiadau e-bost",
    "Sign-in and security": "Mewngofnodi a diogelwch",
    "Reminder health": "Iechyd y nodiadau atgoffa",
    "Sign out": "Allgofnodi",
    "%(service_name)s: tracking HMICFRS findings, actions, responses and deadlines. Report "
    "texts are Crown copyright, published under the Open Government Licence v3.0.": (
        "%(service_name)s: olrhain canfyddiadau, camau gweithredu, ymatebion a dyddiadau cau "
        "HMICFRS. Mae testunau’r adroddiadau yn Hawlfraint y Goron, wedi’u cyhoeddi o dan y "
        "Drwydded Llywodraeth Agored v3.0."
    ),
    "Version %(app_version)s": "Fersiwn %(app_version)s",
    "Error:": "Gwall:",
    "Inspection tracker": "Traciwr arolygiadau",
    "There is a problem": "Mae problem wedi codi",
    "Success": "Llwyddiant",
    "Important": "Pwysig",
    "Pagination": "Tudalennu",
    "Previous": "Blaenorol",
    "Next": "Nesaf",
    "page": "tudalen",
    "Page %(number)s of %(num_pages)s": "Tudalen %(number)s o %(num_pages)s",
    "None available.": "Dim ar gael.",
    # Navigation (config/context_processors.py)
    "Dashboard": "Dangosfwrdd",
    "My items": "Fy eitemau",
    "All items": "Pob eitem",
    "Reports": "Adroddiadau",
    "Overdue": "Yn hwyr",
    "Statutory responses": "Ymatebion statudol",
    "Progress review": "Adolygu cynnydd",
    "People": "Pobl",
    "Admin site": "Safle gweinyddu",
    # Error pages
    "Page not found": "Heb ddod o hyd i’r dudalen",
    "If you typed the web address, check it is correct. If you followed a link, the page may "
    "have moved, or it may be about a force you cannot see.": (
        "Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir. Os gwnaethoch ddilyn "
        "dolen, efallai fod y dudalen wedi symud, neu ei bod yn ymwneud â heddlu na allwch ei "
        "weld."
    ),
    "Go to your items": "Mynd i’ch eitemau",
    "go to your items": "mynd i’ch eitemau",
    "Sorry, there is a problem with the service": (
        "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth"
    ),
    "Sorry, there is a problem with the service – Inspection tracker": (
        "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth – Traciwr arolygiadau"
    ),
    "Try again later. Nothing you entered was saved half-way: either a change was saved in "
    "full, or not at all.": (
        "Rhowch gynnig arall arni yn nes ymlaen. Ni chafodd dim a roesoch ei gadw ar ei hanner: "
        "naill ai cafodd newid ei gadw’n llawn, neu ddim o gwbl."
    ),
    "You do not have permission to do this": "Nid oes gennych ganiatâd i wneud hyn",
    "Sorry, that could not be read": "Mae’n ddrwg gennym, nid oedd modd darllen hynny",
    "Too many requests": "Gormod o geisiadau",
    "Too many requests: wait a moment": "Gormod o geisiadau: arhoswch am ennyd",
    "The file is too large": "Mae’r ffeil yn rhy fawr",
    "Your form could not be sent": "Nid oedd modd anfon eich ffurflen",
    "Your form could not be sent – Inspection tracker": (
        "Nid oedd modd anfon eich ffurflen – Traciwr arolygiadau"
    ),
    "sign in": "mewngofnodi",
    # A person's language and email settings (templates/accounts/email_settings.html) ----------
    "Language": "Iaith",
    "Save language": "Cadw’r iaith",
    "Your language has been saved": "Mae eich iaith wedi’i chadw",
    "Which language should the tracker use for your pages and emails?": (
        "Pa iaith y dylai’r traciwr ei defnyddio ar gyfer eich tudalennau a’ch negeseuon e-bost?"
    ),
    "Emails, public pages and published responses are in Welsh when you choose Cymraeg; some "
    "other pages stay in English until their translation is done.": (
        "Mae negeseuon e-bost, tudalennau cyhoeddus ac ymatebion a gyhoeddwyd yn Gymraeg pan "
        "fyddwch yn dewis Cymraeg; mae rhai tudalennau eraill yn aros yn Saesneg nes bydd eu "
        "cyfieithiad wedi’i wneud."
    ),
    "Select a language": "Dewiswch iaith",
    "“%(code)s” is not a language the tracker offers. Choose English (en-gb) or Cymraeg (cy).": (
        "Nid yw “%(code)s” yn iaith y mae’r traciwr yn ei chynnig. Dewiswch English (en-gb) "
        "neu Cymraeg (cy)."
    ),
    "“%(code)s” is not a language the tracker offers. Choose one of: %(offered)s.": (
        "Nid yw “%(code)s” yn iaith y mae’r traciwr yn ei chynnig. Dewiswch un o’r rhain: "
        "%(offered)s."
    ),
    "Save email settings": "Cadw’r gosodiadau e-bost",
    "Your email settings have been saved": "Mae eich gosodiadau e-bost wedi’u cadw",
    "How should reminders reach you by email?": (
        "Sut dylai nodiadau atgoffa eich cyrraedd drwy e-bost?"
    ),
    "Every reminder also appears in your notifications in the app.": (
        "Mae pob nodyn atgoffa hefyd yn ymddangos yn eich hysbysiadau yn yr ap."
    ),
    "Which changes should we email you about?": ("Am ba newidiadau y dylem anfon e-bost atoch?"),
    "Reminders and digests go out at 8am, London time; a weekly digest on Monday.": (
        "Mae nodiadau atgoffa a chrynodebau yn cael eu hanfon am 8am, amser Llundain; crynodeb "
        "wythnosol ar ddydd Llun."
    ),
    "The tracker reminds you before each deadline you are responsible for, and again if it is "
    "missed. Coordinators, the PCC office and national readers also get a weekly email listing "
    "what is overdue, even when nothing is.": (
        "Mae’r traciwr yn eich atgoffa cyn pob dyddiad cau yr ydych yn gyfrifol amdano, ac eto "
        "os caiff ei fethu. Mae cydlynwyr, swyddfa’r CHTh a darllenwyr cenedlaethol hefyd yn "
        "cael e-bost wythnosol yn rhestru’r hyn sy’n hwyr, hyd yn oed pan nad oes dim."
    ),
    "You are also told when work is handed to you or from you: a closure proposed, approved or "
    "returned, a new owner or accountable lead, a due date moved. Each appears in your "
    "notifications at once and reaches you by email the way you choose for reminders.": (
        "Cewch wybod hefyd pan fydd gwaith yn cael ei drosglwyddo i chi neu oddi wrthych: cais "
        "i gau wedi’i gynnig, ei gymeradwyo neu ei ddychwelyd, perchennog neu arweinydd atebol "
        "newydd, dyddiad dyledus wedi’i symud. Mae pob un yn ymddangos yn eich hysbysiadau ar "
        "unwaith ac yn eich cyrraedd drwy e-bost yn y ffordd a ddewiswch ar gyfer nodiadau "
        "atgoffa."
    ),
    "When work is handed to you or from you. Untick a kind to see it only in your "
    "notifications in the app; it is never sent by email then, nor put in a digest.": (
        "Pan fydd gwaith yn cael ei drosglwyddo i chi neu oddi wrthych. Dad-diciwch fath i’w "
        "weld yn eich hysbysiadau yn yr ap yn unig; ni chaiff ei anfon drwy e-bost wedyn, na’i "
        "roi mewn crynodeb."
    ),
    "Select how reminders should reach you": "Dewiswch sut dylai nodiadau atgoffa eich cyrraedd",
    "Select one of the options": "Dewiswch un o’r opsiynau",
    # Internal pages: the most used words (the rest show English until translated) --------
    "Cancel": "Canslo",
    "Warning": "Rhybudd",
    "Save": "Cadw",
    "Continue": "Parhau",
    "Published": "Wedi’i gyhoeddi",
    "Email address": "Cyfeiriad e-bost",
    "Password": "Cyfrinair",
    "Sign in": "Mewngofnodi",
    "Status": "Statws",
    "Force": "Heddlu",
    "Organisation": "Sefydliad",
    "Roles": "Rolau",
    "Role": "Rôl",
    "Area": "Maes",
    "Reference": "Cyfeirnod",
    "Reason": "Rheswm",
    "Deadline": "Dyddiad cau",
    "Deadlines": "Dyddiadau cau",
    "Due date": "Dyddiad dyledus",
    "Accountable lead": "Arweinydd atebol",
    "No owner": "Dim perchennog",
    "no owner": "dim perchennog",
    "No lead": "Dim arweinydd",
    "Not set": "Heb ei osod",
    "not set": "heb ei osod",
    "None": "Dim",
    "none": "dim",
    "Never": "Byth",
    "Active": "Gweithredol",
    "Deactivated": "Wedi’i ddadactifadu",
    "When": "Pryd",
    "Who": "Pwy",
    "What": "Beth",
    "From": "O",
    "To": "At",
    "View": "Gweld",
    "Items": "Eitemau",
    "Open items": "Eitemau agored",
    "Next step": "Y cam nesaf",
    "New status": "Statws newydd",
    "Your decision": "Eich penderfyniad",
    "Approve closure": "Cymeradwyo cau",
    "Return to the force": "Dychwelyd i’r heddlu",
    "Back to the item": "Yn ôl i’r eitem",
    "Back to the list": "Yn ôl i’r rhestr",
    "Back to the report": "Yn ôl i’r adroddiad",
    "Back to the response": "Yn ôl i’r ymateb",
    "Back to all items": "Yn ôl i bob eitem",
    "Back to %(full_name)s": "Yn ôl i %(full_name)s",
    "Add an update": "Ychwanegu diweddariad",
    "Add evidence": "Ychwanegu tystiolaeth",
    "Propose closure": "Cynnig cau",
    "Revise the due date": "Diwygio’r dyddiad dyledus",
    "Write the response": "Ysgrifennu’r ymateb",
    "Record publication": "Cofnodi’r cyhoeddi",
    "The chief constable's comments": "Sylwadau’r prif gwnstabl",
    "The force's response": "Ymateb yr heddlu",
    "The PCC's response": "Ymateb y CHTh",
    "Force's response": "Ymateb yr heddlu",
    "PCC's response": "Ymateb y CHTh",
    "Ask for the chief constable's comments": "Gofyn am sylwadau’r prif gwnstabl",
    "Import a report": "Mewnforio adroddiad",
    "Saved views": "Golygon a gadwyd",
    "Save this view": "Cadw’r olwg hon",
    "Apply filters": "Defnyddio’r hidlyddion",
    "Clear filters": "Clirio’r hidlyddion",
    "Download as CSV": "Lawrlwytho fel CSV",
    "Download as Excel": "Lawrlwytho fel Excel",
    "Overdue only": "Rhai hwyr yn unig",
    "Select": "Dewis",
    "Choose an action": "Dewiswch gam gweithredu",
    "Action": "Cam gweithredu",
    "Check the changes": "Gwirio’r newidiadau",
    "Add a person": "Ychwanegu person",
    "Reactivate %(full_name)s": "Ailysgogi %(full_name)s",
    "Deactivate %(full_name)s": "Dadactifadu %(full_name)s",
    "Upload a file": "Lanlwytho ffeil",
    "Select a file": "Dewiswch ffeil",
    "The selected file is empty": "Mae’r ffeil a ddewiswyd yn wag",
    "Enter your email address": "Rhowch eich cyfeiriad e-bost",
    "Enter your password": "Rhowch eich cyfrinair",
    "Enter an email address in the correct format, like name@example.com": (
        "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"
    ),
    "Enter a correct email address and password": "Rhowch gyfeiriad e-bost a chyfrinair cywir",
    "Code from your authenticator app": "Cod o’ch ap dilysu",
    "Set up two-factor authentication": "Trefnu dilysu dau gam",
    "Two-factor authentication is turned off": "Mae dilysu dau gam wedi’i ddiffodd",
    "You have signed out.": "Rydych wedi allgofnodi.",
    "Reset your password": "Ailosod eich cyfrinair",
    "reset your password": "ailosod eich cyfrinair",
    "Your password is saved": "Mae eich cyfrinair wedi’i gadw",
    "New password": "Cyfrinair newydd",
    "Type the new password again": "Teipiwch y cyfrinair newydd eto",
    "The two passwords do not match": "Nid yw’r ddau gyfrinair yn cyfateb",
    "Overdue items by force": "Eitemau hwyr fesul heddlu",
    "Items by status": "Eitemau fesul statws",
    "Open items against their due date": "Eitemau agored o’u cymharu â’u dyddiad dyledus",
    "Statutory responses past their deadline": (
        "Ymatebion statudol sydd wedi mynd heibio i’w dyddiad cau"
    ),
    "All forces": "Pob heddlu",
    "All your forces": "Eich holl heddluoedd",
    "Closed this quarter": "Wedi cau y chwarter hwn",
    "Median days to close": "Canolrif y diwrnodau i gau",
    "Past the deadline, not published": "Wedi mynd heibio i’r dyddiad cau, heb ei gyhoeddi",
    "Due in the next 30 days": "Yn ddyledus yn ystod y 30 diwrnod nesaf",
    "No items yet.": "Dim eitemau eto.",
    "No changes recorded.": "Dim newidiadau wedi’u cofnodi.",
    "Full change record": "Cofnod llawn o’r newidiadau",
    "The system": "Y system",
    "Nothing is overdue": "Nid oes dim yn hwyr",
    "%(counter)s item": _same("%(counter)s eitem"),
    "%(counter)s overdue item": _same("%(counter)s eitem hwyr"),
    "%(counter)s report": _same("%(counter)s adroddiad"),
    "%(counter)s result for “%(text)s”": _soft_two(
        "%(counter)s canlyniad ar gyfer “%(text)s”", "%(counter)s ganlyniad ar gyfer “%(text)s”"
    ),
    # Dashboards, item pages, notifications, sign-in and security ---------------------------
    "By": "Fesul",
    "Two-factor authentication": "Dilysu dau gam",
    "On since %(confirmed_at)s; %(counter)s recovery code left": _same(
        "Ymlaen ers %(confirmed_at)s; %(counter)s cod adfer ar ôl"
    ),
    "Off": "I ffwrdd",
    "Change two-factor authentication": "Newid dilysu dau gam",
    "Make new recovery codes": "Creu codau adfer newydd",
    "Turn off two-factor authentication": "Diffodd dilysu dau gam",
    "Your role needs two-factor authentication, so it cannot be turned off.": (
        "Mae eich rôl yn gofyn am ddilysu dau gam, felly ni ellir ei ddiffodd."
    ),
    "Two-factor authentication protects your account even if someone learns your password.": (
        "Mae dilysu dau gam yn diogelu eich cyfrif hyd yn oed os bydd rhywun yn dysgu eich "
        "cyfrinair."
    ),
    "To change your password, sign out and use": (
        "I newid eich cyfrinair, allgofnodwch a defnyddiwch"
    ),
    ": we email you a link.": ": byddwn yn anfon dolen atoch drwy e-bost.",
    "Forgotten your password?": "Wedi anghofio eich cyfrinair?",
    "open items": "eitemau agored",
    "overdue items": "eitemau hwyr",
    "items closed this quarter": "eitemau a gaewyd y chwarter hwn",
    "(by force below)": "(fesul heddlu isod)",
    "median days to close: the items closed in the last 12 months": (
        "canolrif y diwrnodau i gau: yr eitemau a gaewyd yn ystod y 12 mis diwethaf"
    ),
    "Closed this quarter: since %(quarter_start)s. Median days to close: from the item's "
    "creation to its closure, for items closed in the last 12 months. Each figure leads to "
    "the items it counts.": (
        "Wedi cau y chwarter hwn: ers %(quarter_start)s. Canolrif y diwrnodau i gau: o greu’r "
        "eitem hyd at ei chau, ar gyfer eitemau a gaewyd yn ystod y 12 mis diwethaf. Mae pob "
        "ffigur yn arwain at yr eitemau y mae’n eu cyfrif."
    ),
    "statutory responses past the deadline, not published": (
        "ymatebion statudol sydd wedi mynd heibio i’r dyddiad cau, heb eu cyhoeddi"
    ),
    "statutory responses due in the next 30 days": (
        "ymatebion statudol sy’n ddyledus yn ystod y 30 diwrnod nesaf"
    ),
    "statutory responses published": "ymatebion statudol a gyhoeddwyd",
    "All statutory responses, most urgent first": ("Pob ymateb statudol, y mwyaf brys yn gyntaf"),
    "Open items by due date": "Eitemau agored fesul dyddiad dyledus",
    "Open items counted by how their due date stands today.": (
        "Eitemau agored wedi’u cyfrif yn ôl sut mae eu dyddiad dyledus heddiw."
    ),
    "Every item, open or closed, counted by status.": (
        "Pob eitem, ar agor neu wedi cau, wedi’i chyfrif fesul statws."
    ),
    "Open items past their due date, for each force with items.": (
        "Eitemau agored sydd wedi mynd heibio i’w dyddiad dyledus, ar gyfer pob heddlu ag eitemau."
    ),
    "Forces side by side": "Heddluoedd ochr yn ochr",
    "At a glance": "Cipolwg",
    "Choose a column heading to sort the forces by it; choose a force to see its dashboard.": (
        "Dewiswch bennawd colofn i drefnu’r heddluoedd yn ôl y golofn honno; dewiswch heddlu i "
        "weld ei ddangosfwrdd."
    ),
    "dashboard": "dangosfwrdd",
    "%(responses_on_time)s of %(responses_due)s (%(on_time_percent)s%%)": (
        "%(responses_on_time)s o %(responses_due)s (%(on_time_percent)s%%)"
    ),
    "on time: the statutory responses of %(name)s": ("mewn pryd: ymatebion statudol %(name)s"),
    "No items and no statutory response due for:": (
        "Dim eitemau a dim ymateb statudol yn ddyledus ar gyfer:"
    ),
    "Ageing": "Oedran",
    "show by owner": "dangos fesul perchennog",
    "show by force": "dangos fesul heddlu",
    "Open items by days since the report was published": (
        "Eitemau agored fesul diwrnodau ers cyhoeddi’r adroddiad"
    ),
    "the system": "y system",
    "More filters: force, report, owner, area, dates": (
        "Rhagor o hidlyddion: heddlu, adroddiad, perchennog, maes, dyddiadau"
    ),
    "Only": "Dim ond",
    "items with no owner": "eitemau heb berchennog",
    "%(chosen)s’s items": "eitemau %(chosen)s",
    "Items table": "Tabl yr eitemau",
    "%(counter)s closure proposal waiting for a decision": _same(
        "%(counter)s cynnig i gau yn aros am benderfyniad"
    ),
    "Closed": "Wedi cau",
    "Dashboard · %(today)s": "Dangosfwrdd · %(today)s",
    "Board pack (printable)": "Pecyn y bwrdd (i’w argraffu)",
    "Board pack as PDF": "Pecyn y bwrdd fel PDF",
    "Recorded": "Wedi’i gofnodi",
    "Back to my items": "Yn ôl i fy eitemau",
    "Closure proposed": "Cynnig i gau",
    "Proposed by %(by)s on %(on)s.": "Cynigiwyd gan %(by)s ar %(on)s.",
    "Evidence:": "Tystiolaeth:",
    "No evidence is needed: %(reason)s": "Nid oes angen tystiolaeth: %(reason)s",
    "Approve or return": "Cymeradwyo neu ddychwelyd",
    "Closure returned": "Cynnig i gau wedi’i ddychwelyd",
    "%(by)s returned the closure proposal on %(on)s.": (
        "Dychwelodd %(by)s y cynnig i gau ar %(on)s."
    ),
    "Update requested": "Gofynnwyd am ddiweddariad",
    "%(by)s (%(organisation)s) asked for an update on %(on)s.": (
        "Gofynnodd %(by)s (%(organisation)s) am ddiweddariad ar %(on)s."
    ),
    "Ask for an update": "Gofyn am ddiweddariad",
    "Record your view on progress": "Cofnodi eich barn ar y cynnydd",
    "Change status": "Newid y statws",
    "Change owner": "Newid y perchennog",
    "Revise due date": "Diwygio’r dyddiad dyledus",
    "No owner yet": "Dim perchennog eto",
    "Originally %(day)s": "Yn wreiddiol %(day)s",
    "Grade for this area": "Gradd ar gyfer y maes hwn",
    "(direction of travel: %(direction)s)": "(cyfeiriad teithio: %(direction)s)",
    "Target set by the report": "Targed a osodwyd gan yr adroddiad",
    "Due date history": "Hanes y dyddiad dyledus",
    "Every change to the due date": "Pob newid i’r dyddiad dyledus",
    "Approved by": "Cymeradwywyd gan",
    "Responses": "Ymatebion",
    "The statutory response to the report": "Yr ymateb statudol i’r adroddiad",
    "No response recorded yet.": "Dim ymateb wedi’i gofnodi eto.",
    "Evidence": "Tystiolaeth",
    "No evidence yet.": "Dim tystiolaeth eto.",
    "History": "Hanes",
    "by %(by)s": "gan %(by)s",
    "Items you own": "Eitemau sy’n eiddo i chi",
    "You do not own any items that match.": (
        "Nid ydych yn berchen ar unrhyw eitemau sy’n cyfateb."
    ),
    "The findings you own, newest activity first. Open one to add an update, attach evidence "
    "or propose closure.": (
        "Y canfyddiadau sy’n eiddo i chi, y gweithgarwch mwyaf diweddar yn gyntaf. Agorwch un "
        "i ychwanegu diweddariad, atodi tystiolaeth neu gynnig ei gau."
    ),
    "Reminders about deadlines you are responsible for or oversee, and work handed to you or "
    "from you, newest first. Opening one marks it as read.": (
        "Nodiadau atgoffa am ddyddiadau cau yr ydych yn gyfrifol amdanynt neu’n eu goruchwylio, "
        "a gwaith a drosglwyddwyd i chi neu oddi wrthych, y mwyaf diweddar yn gyntaf. Mae agor "
        "un yn ei farcio fel un wedi’i ddarllen."
    ),
    "You have %(unread_notifications)s unread.": (
        "Mae gennych %(unread_notifications)s heb eu darllen."
    ),
    "Mark all as read": "Marcio’r cyfan fel wedi’u darllen",
    "Unread": "Heb ei ddarllen",
    "· in your next digest email": "· yn eich e-bost crynodeb nesaf",
    "Pages of notifications": "Tudalennau hysbysiadau",
    "Newer": "Mwy newydd",
    "Older": "Hŷn",
    "You have no notifications yet. Reminders appear here before each deadline you are "
    "responsible for.": (
        "Nid oes gennych unrhyw hysbysiadau eto. Mae nodiadau atgoffa yn ymddangos yma cyn pob "
        "dyddiad cau yr ydych yn gyfrifol amdano."
    ),
    # Public pages (templates/public/*) -------------------------------------------------------
    "HMICFRS reports and responses – %(body)s": "Adroddiadau ac ymatebion HMICFRS – %(body)s",
    "HMICFRS reports and responses": "Adroddiadau ac ymatebion HMICFRS",
    "All local policing bodies": "Pob corff plismona lleol",
    "The functions of %(old)s passed to %(new)s on %(day)s. Its responses published before "
    "then stay here as they were.": (
        "Trosglwyddwyd swyddogaethau %(old)s i %(new)s ar %(day)s. Mae’r ymatebion a gyhoeddodd "
        "cyn hynny yn aros yma fel yr oeddent."
    ),
    "Responses of %(new)s": "Ymatebion %(new)s",
    "Published responses table": "Tabl yr ymatebion a gyhoeddwyd",
    "Published responses, newest first": "Ymatebion a gyhoeddwyd, y mwyaf diweddar yn gyntaf",
    "Report": "Adroddiad",
    "Report published": "Dyddiad cyhoeddi’r adroddiad",
    "Response published": "Dyddiad cyhoeddi’r ymateb",
    "Download": "Lawrlwytho",
    "version %(number)s": "fersiwn %(number)s",
    "Published in Welsh and English": "Wedi’i gyhoeddi yn Gymraeg ac yn Saesneg",
    "No responses have been published here yet.": (
        "Nid oes unrhyw ymatebion wedi’u cyhoeddi yma eto."
    ),
    "No responses have been published yet.": "Nid oes unrhyw ymatebion wedi’u cyhoeddi eto.",
    "All responses by %(body)s": "Pob ymateb gan %(body)s",
    "Each local policing body (police and crime commissioner, mayor or police authority) "
    "publishes its comments on every HMICFRS inspection report about its force. Choose a body "
    "to see its published responses.": (
        "Mae pob corff plismona lleol (comisiynydd heddlu a throseddu, maer neu awdurdod "
        "heddlu) yn cyhoeddi ei sylwadau ar bob adroddiad arolygu gan HMICFRS am ei heddlu. "
        "Dewiswch gorff i weld yr ymatebion y mae wedi’u cyhoeddi."
    ),
    "Published responses to inspection reports": "Ymatebion a gyhoeddwyd i adroddiadau arolygu",
    "The %(name)s must publish comments on every report by His Majesty's Inspectorate of "
    "Constabulary and Fire &amp; Rescue Services (HMICFRS, formerly HMIC) about its force "
    "(section 55 of the Police Act 1996). These are the responses it has published.": (
        "Rhaid i %(name)s gyhoeddi sylwadau ar bob adroddiad gan Arolygiaeth Cwnstabliaeth a "
        "Gwasanaethau Tân ac Achub Ei Fawrhydi (HMICFRS, HMIC gynt) am ei heddlu (adran 55 o "
        "Ddeddf yr Heddlu 1996). Dyma’r ymatebion y mae wedi’u cyhoeddi."
    ),
    "The %(name)s must publish comments on every report by His Majesty's Inspectorate of "
    "Constabulary and Fire &amp; Rescue Services (HMICFRS, formerly HMIC) about its force, "
    "within %(length)s days after the day the report was published (section 55 of the Police "
    "Act 1996). These are the responses it has published.": (
        "Rhaid i %(name)s gyhoeddi sylwadau ar bob adroddiad gan Arolygiaeth Cwnstabliaeth a "
        "Gwasanaethau Tân ac Achub Ei Fawrhydi (HMICFRS, HMIC gynt) am ei heddlu, o fewn "
        "%(length)s diwrnod ar ôl y diwrnod y cyhoeddwyd yr adroddiad (adran 55 o Ddeddf yr "
        "Heddlu 1996). Dyma’r ymatebion y mae wedi’u cyhoeddi."
    ),
    "The %(name)s must publish comments on every report by His Majesty's Inspectorate of "
    "Constabulary and Fire &amp; Rescue Services (HMICFRS, formerly HMIC) about its force, "
    "within %(length)s days after the day the report was published for reports published "
    "since %(since)s (section 55 of the Police Act 1996). These are the responses it has "
    "published.": (
        "Rhaid i %(name)s gyhoeddi sylwadau ar bob adroddiad gan Arolygiaeth Cwnstabliaeth a "
        "Gwasanaethau Tân ac Achub Ei Fawrhydi (HMICFRS, HMIC gynt) am ei heddlu, o fewn "
        "%(length)s diwrnod ar ôl y diwrnod y cyhoeddwyd yr adroddiad ar gyfer adroddiadau a "
        "gyhoeddwyd ers %(since)s (adran 55 o Ddeddf yr Heddlu 1996). Dyma’r ymatebion y mae "
        "wedi’u cyhoeddi."
    ),
    "The %(name)s must publish comments on every report by His Majesty's Inspectorate of "
    "Constabulary and Fire &amp; Rescue Services (HMICFRS, formerly HMIC) about its force, "
    "within %(length)s days beginning with the day the report was published (the day of "
    "publication is day 1) (section 55 of the Police Act 1996). These are the responses it "
    "has published.": (
        "Rhaid i %(name)s gyhoeddi sylwadau ar bob adroddiad gan Arolygiaeth Cwnstabliaeth a "
        "Gwasanaethau Tân ac Achub Ei Fawrhydi (HMICFRS, HMIC gynt) am ei heddlu, o fewn "
        "%(length)s diwrnod yn dechrau gyda’r diwrnod y cyhoeddwyd yr adroddiad (diwrnod y "
        "cyhoeddi yw diwrnod 1) (adran 55 o Ddeddf yr Heddlu 1996). Dyma’r ymatebion y mae "
        "wedi’u cyhoeddi."
    ),
    "The %(name)s must publish comments on every report by His Majesty's Inspectorate of "
    "Constabulary and Fire &amp; Rescue Services (HMICFRS, formerly HMIC) about its force, "
    "within %(length)s days beginning with the day the report was published (the day of "
    "publication is day 1) for reports published since %(since)s (section 55 of the Police "
    "Act 1996). These are the responses it has published.": (
        "Rhaid i %(name)s gyhoeddi sylwadau ar bob adroddiad gan Arolygiaeth Cwnstabliaeth a "
        "Gwasanaethau Tân ac Achub Ei Fawrhydi (HMICFRS, HMIC gynt) am ei heddlu, o fewn "
        "%(length)s diwrnod yn dechrau gyda’r diwrnod y cyhoeddwyd yr adroddiad (diwrnod y "
        "cyhoeddi yw diwrnod 1) ar gyfer adroddiadau a gyhoeddwyd ers %(since)s (adran 55 o "
        "Ddeddf yr Heddlu 1996). Dyma’r ymatebion y mae wedi’u cyhoeddi."
    ),
    "Comments of the %(body)s": "Sylwadau %(body)s",
    "This page is not offered in that language": "Nid yw’r dudalen hon ar gael yn yr iaith honno",
    "The address asks for the language “%(asked)s”. These pages are in English (lang=en) and "
    "in Welsh (lang=cy) only.": (
        "Mae’r cyfeiriad yn gofyn am yr iaith “%(asked)s”. Mae’r tudalennau hyn ar gael yn "
        "Saesneg (lang=en) ac yn Gymraeg (lang=cy) yn unig."
    ),
    "Choose a language": "Dewiswch iaith",
    "In English only": "Yn Saesneg yn unig",
    "In English:": "Yn Saesneg:",
    "PDF (version %(number)s)": "PDF (fersiwn %(number)s)",
    "Word document (version %(number)s)": "Dogfen Word (fersiwn %(number)s)",
    "Version %(number)s, published %(day)s (this page)": (
        "Fersiwn %(number)s, cyhoeddwyd %(day)s (y dudalen hon)"
    ),
    "Version %(number)s, published %(day)s": "Fersiwn %(number)s, cyhoeddwyd %(day)s",
    "Versions": "Fersiynau",
    "The inspection report": "Yr adroddiad arolygu",
    "This response is published in Welsh and in English.": (
        "Mae’r ymateb hwn wedi’i gyhoeddi yn Gymraeg ac yn Saesneg."
    ),
    "This response was published in English only. It is shown here as it was published.": (
        "Cafodd yr ymateb hwn ei gyhoeddi yn Saesneg yn unig. Fe’i dangosir yma fel y’i cyhoeddwyd."
    ),
    "Welsh edition:": "Argraffiad Cymraeg:",
    "Report texts quoted here are Crown copyright, published under the Open Government "
    "Licence v3.0.": (
        "Mae’r testunau o adroddiadau a ddyfynnir yma yn Hawlfraint y Goron, wedi’u cyhoeddi "
        "o dan y Drwydded Llywodraeth Agored v3.0."
    ),
    "Section 55 of the Police Act 1996 requires the local policing body to publish its "
    "comments on an inspection report about its force, with any comments of the chief officer "
    "and its response to them. For reports published on or after 2 May 2017 they must be "
    "published within 56 days beginning with the day the report is published (s55(5A), "
    "inserted by the Policing and Crime Act 2017). For each recommendation, the comments must "
    "explain what action has been or will be taken, or why no action will be taken (s55(5B)). "
    "A copy is sent to the inspectors of constabulary and the Home Secretary (s55(6)).": (
        "Mae adran 55 o Ddeddf yr Heddlu 1996 yn ei gwneud yn ofynnol i’r corff plismona lleol "
        "gyhoeddi ei sylwadau ar adroddiad arolygu am ei heddlu, ynghyd ag unrhyw sylwadau gan "
        "y prif swyddog a’i ymateb iddynt. Ar gyfer adroddiadau a gyhoeddwyd ar 2 Mai 2017 neu "
        "ar ôl hynny, rhaid eu cyhoeddi o fewn 56 diwrnod yn dechrau gyda’r diwrnod y cyhoeddir "
        "yr adroddiad (a55(5A), a fewnosodwyd gan Ddeddf Plismona a Throseddu 2017). Ar gyfer "
        "pob argymhelliad, rhaid i’r sylwadau egluro pa gamau sydd wedi’u cymryd neu a gaiff "
        "eu cymryd, neu pam na chaiff unrhyw gamau eu cymryd (a55(5B)). Anfonir copi at "
        "arolygwyr y cwnstabliaeth ac at yr Ysgrifennydd Cartref (a55(6))."
    ),
    # The response document (tracker/statutory/content.py, tracker/documents.py) -------------
    "the PCC's comments": "sylwadau’r CHTh",
    "the chief constable's comments": "sylwadau’r prif gwnstabl",
    "the force's response to %(part)s": "ymateb yr heddlu i %(part)s",
    "the response to %(part)s": "yr ymateb i %(part)s",
    "the introduction": "y cyflwyniad",
    "recommendation %(number)s": "argymhelliad %(number)s",
    "no recommendations": "dim argymhellion",
    "no statutory deadline": "dim dyddiad cau statudol",
    "Add the English text of %(what)s before publishing.": (
        "Ychwanegwch destun Saesneg %(what)s cyn cyhoeddi."
    ),
    "Add the Welsh text of %(what)s before publishing.": (
        "Ychwanegwch destun Cymraeg %(what)s cyn cyhoeddi."
    ),
    "On {{ report_published }} {{ inspectorate }} published its report “{{ report_title }}”. "
    "This is the response of the {{ body }}.\n\nThe report makes {{ recommendations }}. The "
    "response of {{ force }} and of the {{ body }} to each is set out below.": (
        "Ar {{ report_published }} cyhoeddodd {{ inspectorate }} ei adroddiad “{{ report_title "
        "}}”. Dyma ymateb {{ body }}.\n\nMae’r adroddiad yn gwneud {{ recommendations }}. "
        "Nodir isod ymateb {{ force }} ac ymateb {{ body }} i bob un."
    ),
    # tracker/documents.py's fixed phrases (ready for when they are marked)
    "No response from the force is recorded.": "Ni chofnodwyd ymateb gan yr heddlu.",
    "No response is recorded.": "Ni chofnodwyd ymateb.",
    "Not graded": "Heb ei raddio",
    "Grades": "Graddau",
    "Comments of the local policing body": "Sylwadau’r corff plismona lleol",
    "Comments of the chief constable": "Sylwadau’r prif gwnstabl",
    "Causes of concern and recommendations": "Achosion pryder ac argymhellion",
    "No causes of concern or recommendations are recorded.": (
        "Ni chofnodwyd unrhyw achosion pryder nac argymhellion."
    ),
    "Statutory basis": "Sail statudol",
    "Grades given to %(force)s in the report": "Graddau a roddwyd i %(force)s yn yr adroddiad",
    "Grades given": "Graddau a roddwyd",
    "Other recommendations": "Argymhellion eraill",
    "Force response": "Ymateb yr heddlu",
    "PCC response": "Ymateb y CHTh",
    "Approved for publication": "Wedi’i gymeradwyo i’w gyhoeddi",
    "Approved for publication (version %(version)s)": (
        "Wedi’i gymeradwyo i’w gyhoeddi (fersiwn %(version)s)"
    ),
    "Draft of version %(version)s – not published": (
        "Drafft o fersiwn %(version)s – heb ei gyhoeddi"
    ),
    "Draft – not published": "Drafft – heb ei gyhoeddi",
    "Published %(published)s": "Cyhoeddwyd %(published)s",
    "Published %(day)s": "Cyhoeddwyd %(day)s",
    "Version %(version)s, published %(published)s": (
        "Fersiwn %(version)s, cyhoeddwyd %(published)s"
    ),
    "%(line)s; first published %(first)s": "%(line)s; cyhoeddwyd gyntaf %(first)s",
    "%(line)s; version 1 first published %(first)s": (
        "%(line)s; cyhoeddwyd fersiwn 1 gyntaf %(first)s"
    ),
    "Inspection report": "Adroddiad arolygu",
    "Deadline for this response": "Dyddiad cau ar gyfer yr ymateb hwn",
    "Overall rating for %(force)s": "Sgôr gyffredinol ar gyfer %(force)s",
    "Overall rating": "Sgôr gyffredinol",
    "Number of recommendations": "Nifer yr argymhellion",
    "Local policing body": "Corff plismona lleol",
    "%(body)s response to %(inspectorate)s's report: %(report_title)s": (
        "Ymateb %(body)s i adroddiad %(inspectorate)s: %(report_title)s"
    ),
    "%(body)s response to %(inspectorate)s's report: %(title)s": (
        "Ymateb %(body)s i adroddiad %(inspectorate)s: %(title)s"
    ),
    "Page": "Tudalen",
    "of": "o",
    "Page %(page)s of %(pages)s": "Tudalen %(page)s o %(pages)s",
    "Grade": "Gradd",
    "Police and Crime Commissioner": "Comisiynydd Heddlu a Throseddu",
    "Home Secretary": "Ysgrifennydd Cartref",
    # Emails (templates/email/*, tracker/reminders/*, accounts/password_emails.py) -------------
    " and ": " a ",
    "%(n)d day overdue": _soft_two("%(n)d diwrnod yn hwyr", "%(n)d ddiwrnod yn hwyr"),
    "%(n)d day": _soft_two("%(n)d diwrnod", "%(n)d ddiwrnod"),
    "%(n)d hour": _same("%(n)d awr"),
    "%(n)d minute": _same("%(n)d munud"),
    "%(n)d second": _same("%(n)d eiliad"),
    "%(n)d late statutory response": _same("%(n)d ymateb statudol hwyr"),
    "%(n)d missed deadline": _soft_two(
        "%(n)d dyddiad cau a fethwyd", "%(n)d ddyddiad cau a fethwyd"
    ),
    "%(n)d notice": _same("%(n)d hysbysiad"),
    "%(n)d overdue item": _same("%(n)d eitem hwyr"),
    "%(n)d reminder": _same("%(n)d nodyn atgoffa"),
    "due in %(n)d day": _soft_two(
        "yn ddyledus ymhen %(n)d diwrnod", "yn ddyledus ymhen %(n)d ddiwrnod"
    ),
    "Due %(due)s, %(days)s day overdue.": _soft_two(
        "Yn ddyledus %(due)s, %(days)s diwrnod yn hwyr.",
        "Yn ddyledus %(due)s, %(days)s ddiwrnod yn hwyr.",
    ),
    "%(rule)s for %(force)s are %(when)s.": "Mae %(rule)s ar gyfer %(force)s %(when)s.",
    "%(rule)s for %(force)s is %(when)s.": "Mae %(rule)s ar gyfer %(force)s %(when)s.",
    "<strong>%(rule)s</strong> for %(force)s are <strong>%(when)s</strong>.": (
        "Mae <strong>%(rule)s</strong> ar gyfer %(force)s <strong>%(when)s</strong>."
    ),
    "<strong>%(rule)s</strong> for %(force)s is <strong>%(when)s</strong>.": (
        "Mae <strong>%(rule)s</strong> ar gyfer %(force)s <strong>%(when)s</strong>."
    ),
    "%(status)s (it was due on %(day)s)": "%(status)s (roedd yn ddyledus ar %(day)s)",
    "%(status)s, on %(day)s": "%(status)s, ar %(day)s",
    "due today": "yn ddyledus heddiw",
    "due today, %(day)s": "yn ddyledus heddiw, %(day)s",
    "due tomorrow": "yn ddyledus yfory",
    "due tomorrow, %(day)s": "yn ddyledus yfory, %(day)s",
    "(the %(limit)s most overdue are listed)": "(rhestrir y %(limit)s sydd fwyaf hwyr)",
    "The %(limit)s most overdue are listed.": "Rhestrir y %(limit)s sydd fwyaf hwyr.",
    "<strong>Nothing is overdue.</strong> This email comes every week, so you know the digest "
    "is running.": (
        "<strong>Nid oes dim yn hwyr.</strong> Daw’r e-bost hwn bob wythnos, er mwyn i chi "
        "wybod bod y crynodeb yn gweithio."
    ),
    "Nothing is overdue. This email comes every week, so you know the digest is running.": (
        "Nid oes dim yn hwyr. Daw’r e-bost hwn bob wythnos, er mwyn i chi wybod bod y "
        "crynodeb yn gweithio."
    ),
    "Days overdue": "Diwrnodau’n hwyr",
    "Due": "Dyddiad dyledus",
    "Item": "Eitem",
    "Items past their due date: %(item_count)s": (
        "Eitemau sydd wedi mynd heibio i’w dyddiad dyledus: %(item_count)s"
    ),
    "Nobody yet": "Neb eto",
    "Open it in the inspection tracker": "Agorwch ef yn y traciwr arolygiadau",
    "Open it in the inspection tracker:": "Agorwch ef yn y traciwr arolygiadau:",
    "Other deadlines missed (progress updates, statutory responses to recommendations, report "
    "targets): %(other_count)s": (
        "Dyddiadau cau eraill a fethwyd (diweddariadau cynnydd, ymatebion statudol i "
        "argymhellion, targedau adroddiadau): %(other_count)s"
    ),
    "Other deadlines missed: %(other_count)s": "Dyddiadau cau eraill a fethwyd: %(other_count)s",
    "Overdue digest": "Crynodeb o’r hyn sy’n hwyr",
    "Weekly overdue digest": "Crynodeb wythnosol o’r hyn sy’n hwyr",
    "Weekly overdue digest: nothing is overdue": (
        "Crynodeb wythnosol o’r hyn sy’n hwyr: nid oes dim yn hwyr"
    ),
    "Owner": "Perchennog",
    "Owner: %(owner)s. Status: %(status)s.": "Perchennog: %(owner)s. Statws: %(status)s.",
    "Owner: %(owner)s.": "Perchennog: %(owner)s.",
    "Owner: nobody yet. Status: %(status)s.": "Perchennog: neb eto. Statws: %(status)s.",
    "Owner: nobody yet.": "Perchennog: neb eto.",
    "Progress updates, statutory responses to recommendations and targets set by reports.": (
        "Diweddariadau cynnydd, ymatebion statudol i argymhellion a thargedau a osodwyd gan "
        "adroddiadau."
    ),
    "Statutory responses past their deadline: %(response_count)s": (
        "Ymatebion statudol sydd wedi mynd heibio i’w dyddiad cau: %(response_count)s"
    ),
    "The overdue report": "Yr adroddiad ar yr hyn sy’n hwyr",
    "The overdue report:": "Yr adroddiad ar yr hyn sy’n hwyr:",
    "This is a statutory deadline: %(basis)s.": "Dyddiad cau statudol yw hwn: %(basis)s.",
    "This reminder was due on %(due)s but could not be sent then; it is sent now instead.": (
        "Roedd y nodyn atgoffa hwn yn ddyledus ar %(due)s ond nid oedd modd ei anfon bryd "
        "hynny; caiff ei anfon nawr yn lle hynny."
    ),
    "You chose one email a day; you can change this, or stop emails about some kinds of "
    'change, on <a href="%(settings_link)s">your email settings page</a>.': (
        "Fe wnaethoch ddewis un e-bost y dydd; gallwch newid hyn, neu atal negeseuon e-bost am "
        'rai mathau o newid, ar <a href="%(settings_link)s">eich tudalen gosodiadau e-bost</a>.'
    ),
    "You chose one email a day; you can change this, or stop emails about some kinds of "
    "change, on your email settings page:": (
        "Fe wnaethoch ddewis un e-bost y dydd; gallwch newid hyn, neu atal negeseuon e-bost am "
        "rai mathau o newid, ar eich tudalen gosodiadau e-bost:"
    ),
    "You chose one email a week; you can change this, or stop emails about some kinds of "
    'change, on <a href="%(settings_link)s">your email settings page</a>.': (
        "Fe wnaethoch ddewis un e-bost yr wythnos; gallwch newid hyn, neu atal negeseuon e-bost "
        'am rai mathau o newid, ar <a href="%(settings_link)s">eich tudalen gosodiadau '
        "e-bost</a>."
    ),
    "You chose one email a week; you can change this, or stop emails about some kinds of "
    "change, on your email settings page:": (
        "Fe wnaethoch ddewis un e-bost yr wythnos; gallwch newid hyn, neu atal negeseuon e-bost "
        "am rai mathau o newid, ar eich tudalen gosodiadau e-bost:"
    ),
    "You get this because %(why)s. You can choose one email a day or a week instead of one "
    'per reminder on <a href="%(settings_link)s">your email settings page</a>.': (
        "Rydych yn cael hwn oherwydd %(why)s. Gallwch ddewis un e-bost y dydd neu’r wythnos yn "
        "lle un ar gyfer pob nodyn atgoffa ar "
        '<a href="%(settings_link)s">eich tudalen gosodiadau e-bost</a>.'
    ),
    "You get this because %(why)s. You can choose one email a day or a week instead of one "
    "per reminder on your email settings page:": (
        "Rydych yn cael hwn oherwydd %(why)s. Gallwch ddewis un e-bost y dydd neu’r wythnos yn "
        "lle un ar gyfer pob nodyn atgoffa ar eich tudalen gosodiadau e-bost:"
    ),
    "You get this email because you chose one email per reminder. You can choose a daily or "
    "weekly digest instead, or stop emails about this kind of change, on "
    '<a href="%(settings_link)s">your email settings page</a>.': (
        "Rydych yn cael yr e-bost hwn oherwydd i chi ddewis un e-bost ar gyfer pob nodyn "
        "atgoffa. Gallwch ddewis crynodeb dyddiol neu wythnosol yn lle hynny, neu atal "
        "negeseuon e-bost am y math hwn o newid, ar "
        '<a href="%(settings_link)s">eich tudalen gosodiadau e-bost</a>.'
    ),
    "You get this email because you chose one email per reminder. You can choose a daily or "
    "weekly digest instead, or stop emails about this kind of change, on your email settings "
    "page:": (
        "Rydych yn cael yr e-bost hwn oherwydd i chi ddewis un e-bost ar gyfer pob nodyn "
        "atgoffa. Gallwch ddewis crynodeb dyddiol neu wythnosol yn lle hynny, neu atal "
        "negeseuon e-bost am y math hwn o newid, ar eich tudalen gosodiadau e-bost:"
    ),
    "Your reminders and notices this week:": (
        "Eich nodiadau atgoffa a’ch hysbysiadau yr wythnos hon:"
    ),
    "Your reminders and notices today:": "Eich nodiadau atgoffa a’ch hysbysiadau heddiw:",
    "Your reminders digest: %(count)s": "Crynodeb o’ch nodiadau atgoffa: %(count)s",
    "Your weekly overdue digest for the week of %(week)s.": (
        "Eich crynodeb wythnosol o’r hyn sy’n hwyr ar gyfer wythnos %(week)s."
    ),
    "you are its accountable lead": "chi yw ei arweinydd atebol",
    "you coordinate inspection work for %(force)s": (
        "rydych yn cydlynu gwaith arolygu ar gyfer %(force)s"
    ),
    "you own this item": "chi yw perchennog yr eitem hon",
    "you work in the PCC office for %(force)s": (
        "rydych yn gweithio yn swyddfa’r CHTh ar gyfer %(force)s"
    ),
    "An administrator has given you an account on the inspection tracker, which tracks what "
    "inspection reports ask police forces to do.": (
        "Mae gweinyddwr wedi rhoi cyfrif i chi ar y traciwr arolygiadau, sy’n olrhain yr hyn y "
        "mae adroddiadau arolygu yn gofyn i heddluoedd ei wneud."
    ),
    "Choose your password here (the link works once, for %(lifetime)s):": (
        "Dewiswch eich cyfrinair yma (mae’r ddolen yn gweithio unwaith, am %(lifetime)s):"
    ),
    "Dear %(name)s,": "Annwyl %(name)s,",
    "If you did not ask for this, you can ignore this email: your password has not changed.": (
        "Os na wnaethoch ofyn am hyn, gallwch anwybyddu’r e-bost hwn: nid yw eich cyfrinair "
        "wedi newid."
    ),
    "If you did not expect this email, you can ignore it.": (
        "Os nad oeddech yn disgwyl yr e-bost hwn, gallwch ei anwybyddu."
    ),
    "Reset your inspection tracker password": (
        "Ailosod eich cyfrinair ar gyfer y traciwr arolygiadau"
    ),
    "Set your password for the inspection tracker": (
        "Gosod eich cyfrinair ar gyfer y traciwr arolygiadau"
    ),
    "Someone asked to reset the password for the inspection tracker account %(email)s.": (
        "Mae rhywun wedi gofyn am ailosod y cyfrinair ar gyfer cyfrif %(email)s ar y traciwr "
        "arolygiadau."
    ),
    "Then sign in with this email address, %(email)s. If the link has stopped working, ask "
    "your administrator to send you a new one.": (
        "Yna mewngofnodwch gyda’r cyfeiriad e-bost hwn, %(email)s. Os yw’r ddolen wedi peidio â "
        "gweithio, gofynnwch i’ch gweinyddwr anfon un newydd atoch."
    ),
    "To choose a new password, open this link. It works once, for 1 hour:": (
        "I ddewis cyfrinair newydd, agorwch y ddolen hon. Mae’n gweithio unwaith, am 1 awr:"
    ),
}
