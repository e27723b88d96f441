//! The web client's words, in Swedish and in English: one field per text, so a text missing in either language
//! is a compile error. Swedish is the default; the wording follows Försäkringskassan's and the social services'
//! own (ärende, aktualisering, förhandsbedömning, utredning, orosanmälan).

/// A language the pages are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Svenska, the default.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The language's code, as `<html lang>` and the language cookie give it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The language a code names, if any.
    pub fn of(code: &str) -> Option<Self> {
        match code.trim() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Its texts.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }
}

/// Every text of the pages, in one language.
#[derive(Debug)]
pub struct Texts {
    /// `<html lang>`.
    pub lang: &'static str,
    /// The product's name beside the title.
    pub app_name: &'static str,
    /// The skip link, first in the tab order.
    pub skip_to_content: &'static str,
    /// The main navigation's label.
    pub nav_label: &'static str,
    /// Menu: what needs action.
    pub nav_home: &'static str,
    /// Menu: the caseload.
    pub nav_caseload: &'static str,
    /// Menu: the inbox.
    pub nav_inbox: &'static str,
    /// Menu: the outbox.
    pub nav_outbox: &'static str,
    /// The button that changes to the other language, in that language.
    pub other_language: &'static str,
    /// The other language's code.
    pub other_code: &'static str,
    /// Sign out.
    pub sign_out: &'static str,
    /// Signed in as (followed by the username and role).
    pub signed_in_as: &'static str,
    /// The sign-in page's heading.
    pub sign_in_title: &'static str,
    /// Its introduction.
    pub sign_in_intro: &'static str,
    /// Username.
    pub username: &'static str,
    /// Password.
    pub password: &'static str,
    /// The sign-in button.
    pub sign_in: &'static str,
    /// Prefix of the title when a form has errors.
    pub error_prefix: &'static str,
    /// The error summary's heading.
    pub error_summary: &'static str,
    /// A username is needed.
    pub username_missing: &'static str,
    /// A password is needed.
    pub password_missing: &'static str,
    /// Wrong username or password.
    pub wrong_credentials: &'static str,
    /// Too many attempts.
    pub too_many_attempts: &'static str,
    /// The home page's heading.
    pub home_title: &'static str,
    /// Overdue deadlines (tile).
    pub tile_overdue: &'static str,
    /// Deadlines due within seven days (tile).
    pub tile_due_soon: &'static str,
    /// New in the inbox (tile).
    pub tile_inbox_new: &'static str,
    /// Feedback owed (tile).
    pub tile_feedback: &'static str,
    /// My deadlines, nearest first.
    pub my_deadlines: &'static str,
    /// Nothing is due.
    pub nothing_due: &'static str,
    /// The caseload page's heading.
    pub caseload_title: &'static str,
    /// Filter by phase.
    pub filter_phase: &'static str,
    /// Any phase.
    pub any_phase: &'static str,
    /// Only mine.
    pub only_mine: &'static str,
    /// Only overdue.
    pub only_overdue: &'static str,
    /// Apply the filter.
    pub filter_apply: &'static str,
    /// Column: case.
    pub col_case: &'static str,
    /// Column: received.
    pub col_received: &'static str,
    /// Column: phase.
    pub col_phase: &'static str,
    /// Column: responsible worker.
    pub col_worker: &'static str,
    /// Column: next deadline.
    pub col_next_deadline: &'static str,
    /// Column: status.
    pub col_status: &'static str,
    /// Column: kind.
    pub col_kind: &'static str,
    /// Column: sent.
    pub col_sent: &'static str,
    /// Column: waiting.
    pub col_waiting: &'static str,
    /// Column: from.
    pub col_from: &'static str,
    /// Column: to.
    pub col_to: &'static str,
    /// No cases.
    pub no_cases: &'static str,
    /// Next page.
    pub next_page: &'static str,
    /// First page.
    pub first_page: &'static str,
    /// No worker yet.
    pub no_worker: &'static str,
    /// No deadline.
    pub no_deadline: &'static str,
    /// Overdue (in words, never by colour alone).
    pub overdue: &'static str,
    /// The inbox's heading.
    pub inbox_title: &'static str,
    /// The outbox's heading.
    pub outbox_title: &'static str,
    /// No referrals.
    pub no_referrals: &'static str,
    /// The case page's heading (followed by the case's short id).
    pub case_title: &'static str,
    /// The case's facts.
    pub case_facts: &'static str,
    /// The case's deadlines.
    pub case_deadlines: &'static str,
    /// The case's history.
    pub case_history: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Who did it.
    pub history_who: &'static str,
    /// When.
    pub history_when: &'static str,
    /// What.
    pub history_what: &'static str,
    /// The heading of the reason form.
    pub reason_title: &'static str,
    /// What the reason form says.
    pub reason_intro: &'static str,
    /// The reason field.
    pub reason: &'static str,
    /// The reason field's hint.
    pub reason_hint: &'static str,
    /// The reason form's button.
    pub reason_submit: &'static str,
    /// Not found heading.
    pub not_found_title: &'static str,
    /// Not found text.
    pub not_found_text: &'static str,
    /// The accessibility statement's heading.
    pub accessibility_title: &'static str,
    /// The accessibility statement.
    pub accessibility_text: &'static str,
    /// Link to the accessibility statement.
    pub accessibility_link: &'static str,
    /// Something failed.
    pub failure_title: &'static str,
    /// Something failed, what to do.
    pub failure_text: &'static str,
    /// "days left" after a number.
    pub days_left: &'static str,
    /// "days overdue" after a number.
    pub days_overdue: &'static str,
    /// "due today".
    pub due_today: &'static str,
    /// "days" after a number (waiting time).
    pub days: &'static str,
    /// Phases, by their code.
    pub phases: [(&'static str, &'static str); 7],
    /// Deadline kinds, in [`projections::queries::DeadlineKind`]'s order.
    pub deadline_kinds: [&'static str; 7],
    /// Referral statuses, by their code.
    pub statuses: [(&'static str, &'static str); 9],
    /// Referral kinds, by their code.
    pub referral_kinds: [(&'static str, &'static str); 3],
    /// Roles, by their code.
    pub roles: [(&'static str, &'static str); 4],
    /// What an event in a case's history was, by its type.
    pub events: [(&'static str, &'static str); 41],
    /// "recorded" before the moment an event was written.
    pub recorded: &'static str,
    /// The heading of a deadline column.
    pub col_deadline: &'static str,
    /// The caseload table's caption.
    pub caseload_caption: &'static str,
    /// The forms of the case's next steps (heading).
    pub steps_title: &'static str,
    /// Yes.
    pub yes: &'static str,
    /// No.
    pub no: &'static str,
    /// Shown after a step was recorded.
    pub saved: &'static str,
    /// The note form's heading.
    pub note_title: &'static str,
    /// The note's text.
    pub note_text: &'static str,
    /// The note form's button.
    pub note_submit: &'static str,
    /// A note is needed.
    pub note_missing: &'static str,
    /// The preliminary assessment's heading.
    pub prelim_title: &'static str,
    /// Its decision.
    pub prelim_decision: &'static str,
    /// Open an investigation.
    pub prelim_open: &'static str,
    /// Do not.
    pub prelim_no: &'static str,
    /// Its reasons.
    pub prelim_reasons: &'static str,
    /// Whether the child was heard.
    pub prelim_child_heard: &'static str,
    /// Why the child was not heard.
    pub prelim_why_not: &'static str,
    /// Why it took longer.
    pub prelim_exceptional: &'static str,
    /// Its button.
    pub prelim_submit: &'static str,
    /// A decision is needed.
    pub decision_missing: &'static str,
    /// Reasons are needed.
    pub reasons_missing: &'static str,
    /// Heard is needed.
    pub heard_missing: &'static str,
    /// The completion's heading.
    pub complete_title: &'static str,
    /// Its result.
    pub complete_result: &'static str,
    /// Needed.
    pub result_needed: &'static str,
    /// Not needed.
    pub result_not_needed: &'static str,
    /// Its conclusion.
    pub conclusion: &'static str,
    /// Why late.
    pub late_reason: &'static str,
    /// Its button.
    pub complete_submit: &'static str,
    /// A result is needed.
    pub result_missing: &'static str,
    /// A conclusion is needed.
    pub conclusion_missing: &'static str,
    /// The closing's heading.
    pub close_title: &'static str,
    /// Its reason.
    pub close_reason: &'static str,
    /// Its notes.
    pub close_notes: &'static str,
    /// Its button.
    pub close_submit: &'static str,
    /// A reason is needed.
    pub close_reason_missing: &'static str,
    /// The empty choice of a list.
    pub choose: &'static str,
    /// The protection assessment's heading.
    pub protection_title: &'static str,
    /// Whether protection is needed at once.
    pub protection_needed: &'static str,
    /// The assessment.
    pub protection_assessment: &'static str,
    /// Why late.
    pub protection_late: &'static str,
    /// Its button.
    pub protection_submit: &'static str,
    /// Needed is missing.
    pub protection_needed_missing: &'static str,
    /// The assessment is missing.
    pub assessment_missing: &'static str,
    /// The referral page's heading (followed by its short id).
    pub referral_title: &'static str,
    /// The receiving form's heading.
    pub receive_title: &'static str,
    /// Its button.
    pub receive_submit: &'static str,
    /// Accepting by opening a case: heading.
    pub accept_title: &'static str,
    /// What accepting does.
    pub accept_intro: &'static str,
    /// Its button.
    pub accept_submit: &'static str,
    /// The declining form's heading.
    pub decline_title: &'static str,
    /// The coded reason.
    pub decline_reason_code: &'static str,
    /// The reason in words.
    pub decline_reason: &'static str,
    /// Its button.
    pub decline_submit: &'static str,
    /// A code is needed.
    pub decline_code_missing: &'static str,
    /// Words are needed.
    pub decline_reason_missing: &'static str,
    /// Concerns.
    pub col_concerns: &'static str,
    /// The password page's heading.
    pub password_title: &'static str,
    /// What the page asks.
    pub password_intro: &'static str,
    /// Said when the password must be changed first.
    pub password_must: &'static str,
    /// Current.
    pub current_password: &'static str,
    /// New.
    pub new_password: &'static str,
    /// Repeat.
    pub repeat_password: &'static str,
    /// Its button.
    pub password_submit: &'static str,
    /// Done.
    pub password_changed: &'static str,
    /// Current is missing.
    pub current_missing: &'static str,
    /// Current is wrong.
    pub current_wrong: &'static str,
    /// New is missing.
    pub new_missing: &'static str,
    /// Too short.
    pub new_too_short: &'static str,
    /// Too common.
    pub new_too_common: &'static str,
    /// Unchanged.
    pub new_unchanged: &'static str,
    /// Repeat differs.
    pub repeat_differs: &'static str,
    /// Menu: the unit (managers).
    pub nav_unit: &'static str,
    /// The unit page's heading.
    pub unit_title: &'static str,
    /// What the unit page shows.
    pub unit_intro: &'static str,
    /// Column: open cases.
    pub col_open: &'static str,
    /// Column: overdue.
    pub col_overdue: &'static str,
    /// Said to others.
    pub unit_only_managers: &'static str,
    /// What a concern is, by code.
    pub concerns: [(&'static str, &'static str); 14],
    /// Why a referral is declined, by code.
    pub decline_reasons: [(&'static str, &'static str); 5],
    /// Why a case is closed, by code.
    pub close_reasons: [(&'static str, &'static str); 6],
}

impl Texts {
    /// A phase's words.
    pub fn phase(&self, code: &str) -> String {
        words(&self.phases, code)
    }

    /// A referral status's words.
    pub fn status(&self, code: &str) -> String {
        words(&self.statuses, code)
    }

    /// A role's words.
    pub fn role(&self, code: &str) -> String {
        words(&self.roles, code)
    }

    /// An event type's words.
    pub fn event(&self, code: &str) -> String {
        words(&self.events, code)
    }

    /// A concern's words.
    pub fn concern(&self, code: &str) -> String {
        words(&self.concerns, code)
    }

    /// A referral kind's words.
    pub fn referral_kind(&self, code: &str) -> String {
        words(&self.referral_kinds, code)
    }

    /// How far a deadline is, in words: "5 dagar kvar", "förfaller i dag", "försenad 3 dagar".
    pub fn days_to(&self, days_left: i64) -> String {
        match days_left {
            0 => self.due_today.to_owned(),
            left if left > 0 => format!("{left} {}", self.days_left),
            late => format!("{} {} {}", self.overdue, -late, self.days_overdue),
        }
    }
}

fn words(table: &[(&'static str, &'static str)], code: &str) -> String {
    table
        .iter()
        .find(|(known, _)| *known == code)
        .map_or_else(|| code.replace('_', " "), |(_, words)| (*words).to_owned())
}

/// Svenska.
pub static SV: Texts = Texts {
    lang: "sv",
    app_name: "Lots",
    skip_to_content: "Gå direkt till innehållet",
    nav_label: "Huvudmeny",
    nav_home: "Att göra",
    nav_caseload: "Mina ärenden",
    nav_inbox: "Inkorg",
    nav_outbox: "Utkorg",
    other_language: "English",
    other_code: "en",
    sign_out: "Logga ut",
    signed_in_as: "Inloggad som",
    sign_in_title: "Logga in",
    sign_in_intro: "Logga in med ditt användarnamn och lösenord.",
    username: "Användarnamn",
    password: "Lösenord",
    sign_in: "Logga in",
    error_prefix: "Fel: ",
    error_summary: "Det finns ett problem",
    username_missing: "Skriv ditt användarnamn",
    password_missing: "Skriv ditt lösenord",
    wrong_credentials: "Användarnamnet eller lösenordet stämmer inte",
    too_many_attempts: "För många försök. Vänta en stund och försök igen",
    home_title: "Att göra",
    tile_overdue: "Försenade tidsfrister",
    tile_due_soon: "Tidsfrister inom 7 dagar",
    tile_inbox_new: "Nya i inkorgen",
    tile_feedback: "Återkoppling att ge",
    my_deadlines: "Mina närmaste tidsfrister",
    nothing_due: "Inga tidsfrister de närmaste 7 dagarna.",
    caseload_title: "Ärenden",
    filter_phase: "Skede",
    any_phase: "Alla skeden",
    only_mine: "Bara mina",
    only_overdue: "Bara försenade",
    filter_apply: "Visa",
    col_case: "Ärende",
    col_received: "Inkom",
    col_phase: "Skede",
    col_worker: "Handläggare",
    col_next_deadline: "Nästa tidsfrist",
    col_status: "Status",
    col_kind: "Typ",
    col_sent: "Skickad",
    col_waiting: "Väntat",
    col_from: "Från",
    col_to: "Till",
    no_cases: "Inga öppna ärenden.",
    next_page: "Nästa sida",
    first_page: "Första sidan",
    no_worker: "Ingen ansvarig",
    no_deadline: "Ingen",
    overdue: "Försenad",
    inbox_title: "Inkorg",
    outbox_title: "Utkorg",
    no_referrals: "Inga aktualiseringar.",
    case_title: "Ärende",
    case_facts: "Uppgifter",
    case_deadlines: "Tidsfrister",
    case_history: "Händelser",
    unit: "Enhet",
    history_who: "Vem",
    history_when: "När",
    history_what: "Vad",
    reason_title: "Ange skäl",
    reason_intro: "Ärendet tillhör en annan enhet. Du kan läsa det med ett angivet skäl; läsningen loggas och granskas.",
    reason: "Skäl",
    reason_hint: "Börja med jour, akut, överflyttning, handledning eller granskning, sedan kolon och vad som hänt.",
    reason_submit: "Läs ärendet",
    not_found_title: "Sidan finns inte",
    not_found_text: "Det finns inget här, eller så har du inte behörighet att se det.",
    accessibility_title: "Tillgänglighet",
    accessibility_text: "Lots ska gå att använda med tangentbord, skärmläsare och förstoring och följa WCAG 2.1 nivå AA. Varje sida testas automatiskt med axe-core. Hittar du något som inte fungerar, kontakta förvaltningens systemförvaltare.",
    accessibility_link: "Tillgänglighet",
    failure_title: "Något gick fel",
    failure_text: "Lots kunde inte visa sidan. Försök igen om en stund; inget av det du skrivit har sparats.",
    days_left: "dagar kvar",
    days_overdue: "dagar",
    due_today: "Förfaller i dag",
    days: "dagar",
    phases: [
        ("not_opened", "Inte öppnat"),
        ("intake", "Förhandsbedömning"),
        ("investigation_decided", "Utredning beslutad"),
        ("not_investigated", "Ingen utredning"),
        ("investigating", "Utredning pågår"),
        ("investigated", "Utredning klar"),
        ("closed", "Avslutat"),
    ],
    deadline_kinds: [
        "Skyddsbedömning",
        "Förhandsbedömning",
        "Utredning",
        "Uppföljning",
        "Yttrande till domstol",
        "Ansökan om vård",
        "Återkoppling till anmälare",
    ],
    statuses: [
        ("draft", "Utkast"),
        ("sent", "Ny"),
        ("received", "Mottagen"),
        ("on_hold", "Vilande"),
        ("accepted", "Antagen"),
        ("declined", "Avböjd"),
        ("forwarded", "Vidarebefordrad"),
        ("handed_over", "Överlämnad"),
        ("withdrawn", "Återtagen"),
    ],
    referral_kinds: [("report_of_concern", "Orosanmälan"), ("referral", "Remiss"), ("application", "Ansökan")],
    roles: [
        ("social_worker", "socialsekreterare"),
        ("unit_manager", "enhetschef"),
        ("auditor", "granskare"),
        ("administrator", "administratör"),
    ],
    events: [
        ("ApplicationRegistered", "Ansökan registrerad"),
        ("CareOrderStepRecorded", "Steg i omedelbart omhändertagande"),
        ("CaseClosed", "Ärendet avslutat"),
        ("CaseOpened", "Ärendet öppnat"),
        ("CaseReopened", "Ärendet öppnat igen"),
        ("CaseTransferred", "Ärendet överflyttat"),
        ("ChainedInvestigationFlagged", "Upprepad utredning markerad"),
        ("FeedbackGiven", "Återkoppling given"),
        ("FeedbackJudgedInappropriate", "Återkoppling bedömd olämplig"),
        ("ImmediateCareOrderDecided", "Omedelbart omhändertagande beslutat"),
        ("InformationDisclosed", "Uppgifter lämnade"),
        ("InterventionDecided", "Insats beslutad"),
        ("InterventionDecidedEarly", "Insats beslutad under utredning"),
        ("InterventionEndReported", "Insatsens slut rapporterat"),
        ("InterventionEnded", "Insatsen avslutad"),
        ("InterventionFollowedUp", "Insatsen följd upp"),
        ("InterventionPlanned", "Insatsen planerad"),
        ("InterventionStartReported", "Insatsens start rapporterad"),
        ("InterventionStarted", "Insatsen påbörjad"),
        ("InvestigationCompleted", "Utredningen klar"),
        ("InvestigationCompletedLate", "Utredningen klar efter fristen"),
        ("InvestigationDiscontinued", "Utredningen nedlagd"),
        ("InvestigationExtended", "Utredningstiden förlängd"),
        ("InvestigationOpenedOnApplication", "Utredning inledd på ansökan"),
        ("InvestigationStarted", "Utredning inledd"),
        ("NoteAppended", "Anteckning tillagd"),
        ("PreliminaryAssessmentDecided", "Förhandsbedömning beslutad"),
        ("ProtectionAssessed", "Skyddsbedömning gjord"),
        ("ReferralAccepted", "Aktualiseringen antagen"),
        ("ReferralDeclined", "Aktualiseringen avböjd"),
        ("ReferralForwarded", "Aktualiseringen vidarebefordrad"),
        ("ReferralPutOnHold", "Aktualiseringen vilande"),
        ("ReferralReceived", "Aktualiseringen mottagen"),
        ("ReferralResumed", "Aktualiseringen återupptagen"),
        ("ReferralSent", "Aktualiseringen skickad"),
        ("ReferralWithdrawn", "Aktualiseringen återtagen"),
        ("ReportHandedOver", "Anmälan överlämnad till annan kommun"),
        ("ReportRegistered", "Orosanmälan registrerad"),
        ("ResponsibleWorkerAssigned", "Ansvarig handläggare utsedd"),
        ("ConsentGiven", "Samtycke lämnat"),
        ("ConsentRevoked", "Samtycke återkallat"),
    ],
    recorded: "registrerad",
    col_deadline: "Tidsfrist",
    caseload_caption: "Öppna ärenden, närmaste tidsfrist först",
    steps_title: "Nästa steg",
    yes: "Ja",
    no: "Nej",
    saved: "Sparat.",
    note_title: "Journalanteckning",
    note_text: "Anteckning",
    note_submit: "Spara anteckningen",
    note_missing: "Skriv anteckningen",
    prelim_title: "Förhandsbedömning",
    prelim_decision: "Beslut",
    prelim_open: "Inled utredning",
    prelim_no: "Inled inte utredning",
    prelim_reasons: "Skäl för beslutet",
    prelim_child_heard: "Har barnet fått komma till tals?",
    prelim_why_not: "Varför inte?",
    prelim_exceptional: "Synnerliga skäl (när det tagit mer än 14 dagar)",
    prelim_submit: "Spara beslutet",
    decision_missing: "Välj ett beslut",
    reasons_missing: "Skriv skälen för beslutet",
    heard_missing: "Svara om barnet fått komma till tals",
    complete_title: "Avsluta utredningen",
    complete_result: "Utredningens resultat",
    result_needed: "Insatser behövs",
    result_not_needed: "Inga insatser behövs",
    conclusion: "Slutsats",
    late_reason: "Skäl till att fristen överskridits (om den gjort det)",
    complete_submit: "Avsluta utredningen",
    result_missing: "Välj utredningens resultat",
    conclusion_missing: "Skriv slutsatsen",
    close_title: "Avsluta ärendet",
    close_reason: "Skäl",
    close_notes: "Kommentar",
    close_submit: "Avsluta ärendet",
    close_reason_missing: "Välj varför ärendet avslutas",
    choose: "Välj",
    nav_unit: "Enheten",
    unit_title: "Enhetens ärenden",
    unit_intro: "Öppna ärenden per handläggare och skede; försenade är de med minst en tidsfrist passerad.",
    col_open: "Öppna",
    col_overdue: "Varav försenade",
    unit_only_managers: "Sidan är till för enhetschefer.",
    password_title: "Byt lösenord",
    password_intro: "Välj ett eget lösenord på minst 12 tecken, gärna en fras. Dina andra inloggningar avslutas.",
    password_must: "Du behöver välja ett eget lösenord innan du kan fortsätta.",
    current_password: "Nuvarande lösenord",
    new_password: "Nytt lösenord",
    repeat_password: "Upprepa det nya lösenordet",
    password_submit: "Byt lösenord",
    password_changed: "Lösenordet är bytt.",
    current_missing: "Skriv ditt nuvarande lösenord",
    current_wrong: "Det nuvarande lösenordet stämmer inte",
    new_missing: "Skriv ett nytt lösenord",
    new_too_short: "Lösenordet måste ha minst 12 tecken",
    new_too_common: "Lösenordet är för vanligt eller lätt att gissa; välj en längre egen fras",
    new_unchanged: "Välj ett nytt lösenord, inte det nuvarande",
    repeat_differs: "Lösenorden är inte likadana",
    concerns: [
        ("robbery", "Rån"),
        ("aggravated_theft", "Grov stöld"),
        ("vehicle_theft", "Fordonsstöld"),
        ("violence_or_threat_against_public_servant", "Våld eller hot mot tjänsteman"),
        ("witness_intimidation", "Övergrepp i rättssak"),
        ("drug_offence", "Narkotikabrott"),
        ("substance_use", "Missbruk eller riskbruk"),
        ("school_absence", "Skolfrånvaro"),
        ("violence_in_close_relationships", "Våld i nära relationer"),
        ("honour_related_violence", "Hedersrelaterat våld och förtryck"),
        ("violent_extremism", "Våldsbejakande extremism"),
        ("victim_of_crime", "Brottsutsatt"),
        ("parenting_concerns", "Brister i omsorgen"),
        ("other", "Annan oro"),
    ],
    referral_title: "Aktualisering",
    receive_title: "Ta emot",
    receive_submit: "Ta emot",
    accept_title: "Inled ärende",
    accept_intro: "Ett nytt ärende öppnas för den unga personen, med aktualiseringens oro, och aktualiseringen kopplas till det.",
    accept_submit: "Öppna ärende",
    decline_title: "Avböj",
    decline_reason_code: "Skäl",
    decline_reason: "Förklaring",
    decline_submit: "Avböj aktualiseringen",
    decline_code_missing: "Välj skälet",
    decline_reason_missing: "Skriv en förklaring",
    col_concerns: "Oro",
    decline_reasons: [
        ("outside_target_group", "Utanför målgruppen"),
        ("no_capacity", "Inget utrymme just nu"),
        ("declined_by_family", "Familjen tackade nej"),
        ("already_handled", "Redan omhändertaget"),
        ("other", "Annat skäl"),
    ],
    protection_title: "Skyddsbedömning",
    protection_needed: "Behöver barnet skydd omedelbart?",
    protection_assessment: "Bedömning",
    protection_late: "Skäl till att bedömningen görs senare än dagen efter (om den gör det)",
    protection_submit: "Spara skyddsbedömningen",
    protection_needed_missing: "Svara om barnet behöver skydd omedelbart",
    assessment_missing: "Skriv bedömningen",
    close_reasons: [
        ("no_investigation_opened", "Ingen utredning inleddes"),
        ("no_intervention_needed", "Inga insatser behövs"),
        ("interventions_ended", "Insatserna har avslutats"),
        ("declined_by_family", "Familjen tackade nej"),
        ("moved_away", "Familjen har flyttat"),
        ("other", "Annat skäl"),
    ],
};

/// English.
pub static EN: Texts = Texts {
    lang: "en",
    app_name: "Lots",
    skip_to_content: "Skip to main content",
    nav_label: "Main menu",
    nav_home: "To do",
    nav_caseload: "My cases",
    nav_inbox: "Inbox",
    nav_outbox: "Outbox",
    other_language: "Svenska",
    other_code: "sv",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    sign_in_title: "Sign in",
    sign_in_intro: "Sign in with your username and password.",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    error_prefix: "Error: ",
    error_summary: "There is a problem",
    username_missing: "Enter your username",
    password_missing: "Enter your password",
    wrong_credentials: "The username or password is wrong",
    too_many_attempts: "Too many attempts. Wait a moment and try again",
    home_title: "To do",
    tile_overdue: "Overdue deadlines",
    tile_due_soon: "Deadlines within 7 days",
    tile_inbox_new: "New in the inbox",
    tile_feedback: "Feedback to give",
    my_deadlines: "My nearest deadlines",
    nothing_due: "No deadlines in the next 7 days.",
    caseload_title: "Cases",
    filter_phase: "Phase",
    any_phase: "Any phase",
    only_mine: "Only mine",
    only_overdue: "Only overdue",
    filter_apply: "Show",
    col_case: "Case",
    col_received: "Received",
    col_phase: "Phase",
    col_worker: "Worker",
    col_next_deadline: "Next deadline",
    col_status: "Status",
    col_kind: "Kind",
    col_sent: "Sent",
    col_waiting: "Waiting",
    col_from: "From",
    col_to: "To",
    no_cases: "No open cases.",
    next_page: "Next page",
    first_page: "First page",
    no_worker: "Nobody responsible",
    no_deadline: "None",
    overdue: "Overdue",
    inbox_title: "Inbox",
    outbox_title: "Outbox",
    no_referrals: "No referrals.",
    case_title: "Case",
    case_facts: "Details",
    case_deadlines: "Deadlines",
    case_history: "History",
    unit: "Unit",
    history_who: "Who",
    history_when: "When",
    history_what: "What",
    reason_title: "State a reason",
    reason_intro: "This case belongs to another unit. You may read it with a stated reason; the read is logged and reviewed.",
    reason: "Reason",
    reason_hint: "Start with on_call, emergency, transfer, supervision or audit, then a colon and what happened.",
    reason_submit: "Read the case",
    not_found_title: "Page not found",
    not_found_text: "There is nothing here, or you may not see it.",
    accessibility_title: "Accessibility",
    accessibility_text: "Lots is meant to be usable with a keyboard, a screen reader and magnification, and to meet WCAG 2.1 level AA. Every page is tested automatically with axe-core. If something does not work for you, contact the administration's system owner.",
    accessibility_link: "Accessibility",
    failure_title: "Something went wrong",
    failure_text: "Lots could not show the page. Try again in a moment; nothing you typed was saved.",
    days_left: "days left",
    days_overdue: "days",
    due_today: "Due today",
    days: "days",
    phases: [
        ("not_opened", "Not opened"),
        ("intake", "Preliminary assessment"),
        ("investigation_decided", "Investigation decided"),
        ("not_investigated", "Not investigated"),
        ("investigating", "Investigating"),
        ("investigated", "Investigated"),
        ("closed", "Closed"),
    ],
    deadline_kinds: [
        "Protection assessment",
        "Preliminary assessment",
        "Investigation",
        "Follow-up",
        "Statement to the court",
        "Care application",
        "Feedback to the reporter",
    ],
    statuses: [
        ("draft", "Draft"),
        ("sent", "New"),
        ("received", "Received"),
        ("on_hold", "On hold"),
        ("accepted", "Accepted"),
        ("declined", "Declined"),
        ("forwarded", "Forwarded"),
        ("handed_over", "Handed over"),
        ("withdrawn", "Withdrawn"),
    ],
    referral_kinds: [("report_of_concern", "Report of concern"), ("referral", "Referral"), ("application", "Application")],
    roles: [
        ("social_worker", "social worker"),
        ("unit_manager", "unit manager"),
        ("auditor", "auditor"),
        ("administrator", "administrator"),
    ],
    events: [
        ("ApplicationRegistered", "Application registered"),
        ("CareOrderStepRecorded", "Care order step recorded"),
        ("CaseClosed", "Case closed"),
        ("CaseOpened", "Case opened"),
        ("CaseReopened", "Case reopened"),
        ("CaseTransferred", "Case transferred"),
        ("ChainedInvestigationFlagged", "Repeated investigation flagged"),
        ("FeedbackGiven", "Feedback given"),
        ("FeedbackJudgedInappropriate", "Feedback judged inappropriate"),
        ("ImmediateCareOrderDecided", "Immediate care order decided"),
        ("InformationDisclosed", "Information disclosed"),
        ("InterventionDecided", "Intervention decided"),
        ("InterventionDecidedEarly", "Intervention decided during the investigation"),
        ("InterventionEndReported", "Intervention's end reported"),
        ("InterventionEnded", "Intervention ended"),
        ("InterventionFollowedUp", "Intervention followed up"),
        ("InterventionPlanned", "Intervention planned"),
        ("InterventionStartReported", "Intervention's start reported"),
        ("InterventionStarted", "Intervention started"),
        ("InvestigationCompleted", "Investigation completed"),
        ("InvestigationCompletedLate", "Investigation completed late"),
        ("InvestigationDiscontinued", "Investigation discontinued"),
        ("InvestigationExtended", "Investigation extended"),
        ("InvestigationOpenedOnApplication", "Investigation opened on application"),
        ("InvestigationStarted", "Investigation started"),
        ("NoteAppended", "Note added"),
        ("PreliminaryAssessmentDecided", "Preliminary assessment decided"),
        ("ProtectionAssessed", "Protection assessed"),
        ("ReferralAccepted", "Referral accepted"),
        ("ReferralDeclined", "Referral declined"),
        ("ReferralForwarded", "Referral forwarded"),
        ("ReferralPutOnHold", "Referral put on hold"),
        ("ReferralReceived", "Referral received"),
        ("ReferralResumed", "Referral resumed"),
        ("ReferralSent", "Referral sent"),
        ("ReferralWithdrawn", "Referral withdrawn"),
        ("ReportHandedOver", "Report handed over to another municipality"),
        ("ReportRegistered", "Report of concern registered"),
        ("ResponsibleWorkerAssigned", "Responsible worker assigned"),
        ("ConsentGiven", "Consent given"),
        ("ConsentRevoked", "Consent revoked"),
    ],
    recorded: "recorded",
    col_deadline: "Deadline",
    caseload_caption: "Open cases, nearest deadline first",
    steps_title: "Next steps",
    yes: "Yes",
    no: "No",
    saved: "Saved.",
    note_title: "Journal note",
    note_text: "Note",
    note_submit: "Save the note",
    note_missing: "Write the note",
    prelim_title: "Preliminary assessment",
    prelim_decision: "Decision",
    prelim_open: "Open an investigation",
    prelim_no: "Do not open an investigation",
    prelim_reasons: "Reasons for the decision",
    prelim_child_heard: "Was the child heard?",
    prelim_why_not: "Why not?",
    prelim_exceptional: "Exceptional reasons (when it took more than 14 days)",
    prelim_submit: "Record the decision",
    decision_missing: "Choose a decision",
    reasons_missing: "Write the reasons for the decision",
    heard_missing: "Say whether the child was heard",
    complete_title: "Complete the investigation",
    complete_result: "The investigation's result",
    result_needed: "Interventions are needed",
    result_not_needed: "No intervention is needed",
    conclusion: "Conclusion",
    late_reason: "Why the deadline was passed (if it was)",
    complete_submit: "Complete the investigation",
    result_missing: "Choose the investigation's result",
    conclusion_missing: "Write the conclusion",
    close_title: "Close the case",
    close_reason: "Reason",
    close_notes: "Comment",
    close_submit: "Close the case",
    close_reason_missing: "Choose why the case is closed",
    choose: "Choose",
    nav_unit: "The unit",
    unit_title: "The unit's cases",
    unit_intro: "Open cases by worker and phase; overdue are those with at least one deadline passed.",
    col_open: "Open",
    col_overdue: "Of which overdue",
    unit_only_managers: "This page is for unit managers.",
    password_title: "Change your password",
    password_intro: "Choose a password of your own of at least 12 characters, a phrase is best. Your other sessions end.",
    password_must: "You need to choose a password of your own before you go on.",
    current_password: "Current password",
    new_password: "New password",
    repeat_password: "Repeat the new password",
    password_submit: "Change the password",
    password_changed: "The password is changed.",
    current_missing: "Enter your current password",
    current_wrong: "The current password is wrong",
    new_missing: "Enter a new password",
    new_too_short: "The password must have at least 12 characters",
    new_too_common: "The password is too common or easy to guess; choose a longer phrase of your own",
    new_unchanged: "Choose a new password, not the current one",
    repeat_differs: "The passwords do not match",
    concerns: [
        ("robbery", "Robbery"),
        ("aggravated_theft", "Aggravated theft"),
        ("vehicle_theft", "Vehicle theft"),
        ("violence_or_threat_against_public_servant", "Violence or threats against a public official"),
        ("witness_intimidation", "Witness intimidation"),
        ("drug_offence", "Drug offence"),
        ("substance_use", "Substance use"),
        ("school_absence", "School absence"),
        ("violence_in_close_relationships", "Violence in close relationships"),
        ("honour_related_violence", "Honour-related violence and oppression"),
        ("violent_extremism", "Violent extremism"),
        ("victim_of_crime", "Victim of crime"),
        ("parenting_concerns", "Parenting concerns"),
        ("other", "Other concern"),
    ],
    referral_title: "Referral",
    receive_title: "Receive",
    receive_submit: "Receive",
    accept_title: "Open a case",
    accept_intro: "A new case is opened for the young person, with the referral's concerns, and the referral is linked to it.",
    accept_submit: "Open the case",
    decline_title: "Decline",
    decline_reason_code: "Reason",
    decline_reason: "Explanation",
    decline_submit: "Decline the referral",
    decline_code_missing: "Choose the reason",
    decline_reason_missing: "Write an explanation",
    col_concerns: "Concerns",
    decline_reasons: [
        ("outside_target_group", "Outside the target group"),
        ("no_capacity", "No capacity now"),
        ("declined_by_family", "The family declined"),
        ("already_handled", "Already handled"),
        ("other", "Another reason"),
    ],
    protection_title: "Protection assessment",
    protection_needed: "Does the child need protection at once?",
    protection_assessment: "Assessment",
    protection_late: "Why it is made later than the next day (if it is)",
    protection_submit: "Record the protection assessment",
    protection_needed_missing: "Say whether the child needs protection at once",
    assessment_missing: "Write the assessment",
    close_reasons: [
        ("no_investigation_opened", "No investigation was opened"),
        ("no_intervention_needed", "No intervention is needed"),
        ("interventions_ended", "The interventions have ended"),
        ("declined_by_family", "The family declined"),
        ("moved_away", "The family moved away"),
        ("other", "Another reason"),
    ],
};
