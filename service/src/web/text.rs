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
    /// The later steps' and the new pages' words.
    pub more: &'static More,
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
            1 => format!("1 {}", self.more.day_left),
            left if left > 0 => format!("{left} {}", self.days_left),
            -1 => format!("{} 1 {}", self.overdue, self.more.day),
            late => format!("{} {} {}", self.overdue, -late, self.days_overdue),
        }
    }

    /// A refusal of the domain's rule `rule` in the reader's words, the date its `message` names put in; the
    /// domain's own message where the catalogue has none.
    pub fn rule(&self, rule: &str, message: &str) -> String {
        let Some((_, words)) = self.more.rules.iter().find(|(known, _)| *known == rule) else {
            return message.to_owned();
        };
        let date = message
            .as_bytes()
            .windows(10)
            .position(|window| {
                window
                    .iter()
                    .enumerate()
                    .all(|(i, byte)| if i == 4 || i == 7 { *byte == b'-' } else { byte.is_ascii_digit() })
            })
            .map(|at| &message[at..at + 10]);
        words.replace("{date}", date.unwrap_or("–"))
    }

    /// A number of days: "1 dag", "3 dagar".
    pub fn days_count(&self, days: i64) -> String {
        if days.abs() == 1 {
            format!("{days} {}", self.more.day)
        } else {
            format!("{days} {}", self.days)
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
    more: &SV_MORE,
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
    reason_intro:
        "Ärendet tillhör en annan enhet. Du kan läsa det med ett angivet skäl; läsningen loggas och granskas.",
    reason: "Skäl",
    reason_hint: "Börja med jour, akut, överflyttning, handledning eller granskning, sedan kolon och vad som hänt.",
    reason_submit: "Läs ärendet",
    not_found_title: "Sidan finns inte",
    not_found_text: "Det finns inget här, eller så har du inte behörighet att se det.",
    accessibility_title: "Tillgänglighet",
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
    accept_intro:
        "Ett nytt ärende öppnas för den unga personen, med aktualiseringens oro, och aktualiseringen kopplas till det.",
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
    more: &EN_MORE,
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
    reason_intro:
        "This case belongs to another unit. You may read it with a stated reason; the read is logged and reviewed.",
    reason: "Reason",
    reason_hint: "Start with on_call, emergency, transfer, supervision or audit, then a colon and what happened.",
    reason_submit: "Read the case",
    not_found_title: "Page not found",
    not_found_text: "There is nothing here, or you may not see it.",
    accessibility_title: "Accessibility",
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
    referral_kinds: [
        ("report_of_concern", "Report of concern"),
        ("referral", "Referral"),
        ("application", "Application"),
    ],
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
    password_intro:
        "Choose a password of your own of at least 12 characters, a phrase is best. Your other sessions end.",
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
    accept_intro:
        "A new case is opened for the young person, with the referral's concerns, and the referral is linked to it.",
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

/// Declares a catalogue whose every entry is written once with its Swedish and its English words side by side: a
/// text missing in either language does not compile.
macro_rules! catalogue {
    ($(#[$meta:meta])* $name:ident, $sv:ident, $en:ident { $($(#[doc = $doc:literal])* $field:ident: $type:ty = $sv_text:expr, $en_text:expr;)* }) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name {
            $($(#[doc = $doc])* pub $field: $type,)*
        }

        /// Svenska.
        pub static $sv: $name = $name { $($field: $sv_text,)* };
        /// English.
        pub static $en: $name = $name { $($field: $en_text,)* };
    };
}

type Table = &'static [(&'static str, &'static str)];

catalogue!(
    /// The words of the later steps of a case and a referral, and of the pages that start them.
    More, SV_MORE, EN_MORE {
    /// Starting the investigation.
    start_title: &'static str = "Inled utredning", "Start the investigation";
    start_concerns: &'static str = "Vad utredningen gäller", "What it looks into";
    start_submit: &'static str = "Inled utredningen", "Start the investigation";
    concerns_missing: &'static str = "Välj minst ett område", "Choose at least one concern";
    /// Extending it.
    extend_title: &'static str = "Förläng utredningstiden", "Extend the investigation";
    extend_due: &'static str = "Ny sista dag (ÅÅÅÅ-MM-DD)", "New last day (YYYY-MM-DD)";
    reason: &'static str = "Skäl", "Reason";
    extend_submit: &'static str = "Förläng utredningstiden", "Extend";
    reason_missing: &'static str = "Skriv skälet", "Write the reason";
    date_wrong: &'static str = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-31", "Write the date as YYYY-MM-DD, for example 2027-03-31";
    /// Deciding an intervention.
    decide_title: &'static str = "Beslut om insats", "Decide an intervention";
    decide_kind: &'static str = "Insats", "Intervention";
    decide_basis: &'static str = "Lagrum", "Legal ground";
    decide_reasons: &'static str = "Skäl för beslutet", "Reasons for the decision";
    decide_stage: &'static str = "När beslutet fattas", "When it is decided";
    decide_submit: &'static str = "Fatta beslutet", "Record the decision";
    kind_missing: &'static str = "Välj insats", "Choose the intervention";
    basis_missing: &'static str = "Välj lagrum", "Choose the legal ground";
    stage_missing: &'static str = "Välj när beslutet fattas", "Choose when it is decided";
    reasons_missing: &'static str = "Skriv skälen", "Write the reasons";
    stages: Table = &[
        ("after_investigation", "Efter avslutad utredning"),
        ("interim", "Interimistiskt, medan utredningen pågår"),
        ("without_needs_assessment", "Utan behovsprövning (öppen insats)"),
    ], &[
        ("after_investigation", "After the investigation"),
        ("interim", "Interim, while the investigation goes on"),
        ("without_needs_assessment", "Without a needs assessment (open service)"),
    ];
    grounds: Table = &[
        ("sol-4-1", "Socialtjänstlagen 4 kap. 1 § (bistånd)"),
        ("sol-3-6b", "Socialtjänstlagen 3 kap. 6 b § (öppna insatser för den som fyllt 15 år)"),
        ("lvu-22", "LVU 22 § (förebyggande insats)"),
    ], &[
        ("sol-4-1", "Social Services Act ch. 4 s. 1 (assistance)"),
        ("sol-3-6b", "Social Services Act ch. 3 s. 6 b (open services from 15 years)"),
        ("lvu-22", "Care of Young Persons Act s. 22 (preventive intervention)"),
    ];
    kinds: Table = &[
        ("contact_person", "Kontaktperson"),
        ("contact_family", "Kontaktfamilj"),
        ("family_treatment", "Familjebehandling"),
        ("youth_outpatient_support", "Strukturerad öppenvård för unga"),
        ("substance_use_treatment", "Behandling för alkohol och droger"),
        ("violence_support", "Stöd vid våld i nära relationer"),
        ("parent_programme", "Föräldraprogram"),
        ("youth_service_sentence", "Ungdomstjänst eller ungdomsvård"),
        ("foster_family_placement", "Placering i familjehem"),
        ("residential_placement", "Placering på HVB"),
        ("other", "Annan insats"),
    ], &[
        ("contact_person", "Contact person"),
        ("contact_family", "Contact family"),
        ("family_treatment", "Family treatment"),
        ("youth_outpatient_support", "Structured outpatient support for young people"),
        ("substance_use_treatment", "Alcohol and drug treatment"),
        ("violence_support", "Support after violence in close relationships"),
        ("parent_programme", "Parent programme"),
        ("youth_service_sentence", "Youth service or youth care"),
        ("foster_family_placement", "Foster family placement"),
        ("residential_placement", "Residential placement"),
        ("other", "Other intervention"),
    ];
    /// Planning it.
    plan_title: &'static str = "Planera insats", "Plan an intervention";
    intervention: &'static str = "Insats", "Intervention";
    plan_provider: &'static str = "Utförare (tomt om enheten själv ger insatsen)", "Provider (empty when the unit gives it itself)";
    plan_referral: &'static str = "Aktualisering till utföraren", "Referral to the provider";
    none: &'static str = "Ingen", "None";
    plan_goals: &'static str = "Mål, ett per rad", "Goals, one a line";
    plan_start: &'static str = "Planerad start (ÅÅÅÅ-MM-DD)", "Planned start (YYYY-MM-DD)";
    plan_follow_up: &'static str = "Första uppföljning (ÅÅÅÅ-MM-DD)", "First follow-up (YYYY-MM-DD)";
    plan_submit: &'static str = "Spara planen", "Save the plan";
    intervention_missing: &'static str = "Välj insatsen", "Choose the intervention";
    goals_missing: &'static str = "Skriv minst ett mål", "Write at least one goal";
    /// Starting, following up, ending it.
    begin_title: &'static str = "Påbörja insats", "Start an intervention";
    begin_submit: &'static str = "Insatsen har påbörjats", "The intervention has started";
    follow_title: &'static str = "Följ upp insats", "Follow up an intervention";
    goal: &'static str = "mål", "goal";
    attainments: Table = &[
        ("-2", "Mycket sämre än väntat"),
        ("-1", "Sämre än väntat"),
        ("0", "Som väntat"),
        ("1", "Bättre än väntat"),
        ("2", "Mycket bättre än väntat"),
    ], &[
        ("-2", "Much less than expected"),
        ("-1", "Less than expected"),
        ("0", "As expected"),
        ("1", "More than expected"),
        ("2", "Much more than expected"),
    ];
    follow_notes: &'static str = "Anteckningar från uppföljningen", "Notes of the follow-up";
    follow_next: &'static str = "Nästa uppföljning (ÅÅÅÅ-MM-DD, tomt om ingen)", "Next follow-up (YYYY-MM-DD, empty if none)";
    follow_submit: &'static str = "Spara uppföljningen", "Save the follow-up";
    attainment_missing: &'static str = "Välj hur väl målet nåtts", "Choose how far the goal was reached";
    notes_missing: &'static str = "Skriv anteckningarna", "Write the notes";
    end_title: &'static str = "Avsluta insats", "End an intervention";
    end_outcome: &'static str = "Hur insatsen slutade", "How it ended";
    end_summary: &'static str = "Sammanfattning", "Summary";
    end_submit: &'static str = "Avsluta insatsen", "End the intervention";
    outcome_missing: &'static str = "Välj hur insatsen slutade", "Choose how it ended";
    summary_missing: &'static str = "Skriv en sammanfattning", "Write a summary";
    outcomes: Table = &[
        ("completed_as_planned", "Genomförd som planerat"),
        ("ended_early_goals_met", "Avslutad i förtid, målen nådda"),
        ("ended_early_by_family", "Avbruten av familjen"),
        ("ended_early_by_unit", "Avbruten av enheten"),
        ("moved_away", "Familjen flyttade"),
        ("never_started", "Kom aldrig i gång"),
    ], &[
        ("completed_as_planned", "Completed as planned"),
        ("ended_early_goals_met", "Ended early, goals met"),
        ("ended_early_by_family", "Ended early by the family"),
        ("ended_early_by_unit", "Ended early by the unit"),
        ("moved_away", "The family moved away"),
        ("never_started", "Never started"),
    ];
    intervention_statuses: Table = &[
        ("decided", "beslutad"), ("planned", "planerad"), ("started", "pågår"), ("ended", "avslutad"),
    ], &[
        ("decided", "decided"), ("planned", "planned"), ("started", "under way"), ("ended", "ended"),
    ];
    interventions_title: &'static str = "Insatser", "Interventions";
    /// Assigning, transferring, reopening.
    assign_title: &'static str = "Utse ansvarig handläggare", "Assign the responsible worker";
    assign_worker: &'static str = "Handläggare", "Worker";
    assign_submit: &'static str = "Utse handläggaren", "Assign";
    worker_missing: &'static str = "Välj handläggare", "Choose a worker";
    transfer_title: &'static str = "Överför ärendet till en annan enhet", "Transfer the case to another unit";
    to_unit: &'static str = "Till enhet", "To unit";
    transfer_submit: &'static str = "Överför ärendet", "Transfer the case";
    unit_missing: &'static str = "Välj enhet", "Choose a unit";
    reopen_title: &'static str = "Öppna ärendet igen", "Reopen the case";
    reopen_submit: &'static str = "Öppna ärendet igen", "Reopen";
    /// Consents.
    consents_title: &'static str = "Samtycken", "Consents";
    no_consents: &'static str = "Inga samtycken registrerade.", "No consents recorded.";
    consent_title: &'static str = "Registrera samtycke", "Record a consent";
    consent_given_by: &'static str = "Vem lämnar samtycket", "Who gives it";
    young_person: &'static str = "Den unga personen själv", "The young person";
    guardian: &'static str = "Vårdnadshavare", "Guardian";
    consent_party: &'static str = "Enhet som får ta del av uppgifterna", "Unit that may receive the information";
    consent_categories: &'static str = "Vilka uppgifter", "Which information";
    consent_purpose: &'static str = "Syfte", "Purpose";
    consent_from: &'static str = "Gäller från (ÅÅÅÅ-MM-DD)", "Valid from (YYYY-MM-DD)";
    consent_to: &'static str = "Gäller till (ÅÅÅÅ-MM-DD)", "Valid to (YYYY-MM-DD)";
    consent_submit: &'static str = "Registrera samtycket", "Record the consent";
    giver_missing: &'static str = "Välj vem som lämnar samtycket", "Choose who gives it";
    categories_missing: &'static str = "Välj minst en sorts uppgift", "Choose at least one kind of information";
    purpose_missing: &'static str = "Skriv syftet", "Write the purpose";
    revoke_title: &'static str = "Återkalla samtycke", "Revoke a consent";
    consent: &'static str = "Samtycke", "Consent";
    revoke_submit: &'static str = "Återkalla samtycket", "Revoke the consent";
    revoked_by: &'static str = "Vem återkallar samtycket", "Who revokes it";
    consent_missing: &'static str = "Välj samtycket", "Choose the consent";
    revoked: &'static str = "återkallat", "revoked";
    valid: &'static str = "gäller", "valid";
    information: Table = &[
        ("identity", "Identitet"),
        ("school", "Skola"),
        ("health", "Hälsa"),
        ("substance_use", "Alkohol och droger"),
        ("offending", "Brottslighet"),
        ("family", "Familj"),
        ("social_services_assessment", "Socialtjänstens bedömning"),
        ("intervention_progress", "Hur insatsen går"),
    ], &[
        ("identity", "Identity"),
        ("school", "School"),
        ("health", "Health"),
        ("substance_use", "Alcohol and drugs"),
        ("offending", "Offending"),
        ("family", "Family"),
        ("social_services_assessment", "Social services' assessment"),
        ("intervention_progress", "Progress of the intervention"),
    ];
    /// Referral steps.
    forward_title: &'static str = "Vidarebefordra", "Forward";
    forward_ground: &'static str = "Lagrum för utlämnandet (om inget samtycke finns)", "Legal ground for the disclosure (without a consent)";
    forward_submit: &'static str = "Vidarebefordra", "Forward";
    hand_over_title: &'static str = "Överlämna till annan kommun", "Hand over to another municipality";
    municipality: &'static str = "Kommun", "Municipality";
    hand_over_submit: &'static str = "Överlämna anmälan", "Hand over the report";
    municipality_missing: &'static str = "Skriv kommunens namn", "Write the municipality's name";
    withdraw_title: &'static str = "Ta tillbaka", "Withdraw";
    withdraw_submit: &'static str = "Ta tillbaka aktualiseringen", "Withdraw the referral";
    report_start_title: &'static str = "Insatsen har börjat", "The intervention has started";
    report_start_submit: &'static str = "Rapportera att insatsen börjat", "Report the start";
    report_end_title: &'static str = "Insatsen har slutat", "The intervention has ended";
    report_end_submit: &'static str = "Rapportera att insatsen slutat", "Report the end";
    feedback_title: &'static str = "Återkoppling till avsändaren", "Feedback to the sender";
    feedback_kind: &'static str = "Vad återkopplingen säger", "What it says";
    feedback_message: &'static str = "Meddelande (valfritt)", "Message (optional)";
    feedback_submit: &'static str = "Skicka återkopplingen", "Send the feedback";
    feedback_missing: &'static str = "Välj vad återkopplingen säger", "Choose what it says";
    feedback_kinds: Table = &[
        ("investigation_opened", "Utredning har inletts"),
        ("investigation_not_opened", "Utredning har inte inletts"),
        ("investigation_ongoing", "Utredning pågår redan"),
        ("referral_handled", "Aktualiseringen är omhändertagen"),
    ], &[
        ("investigation_opened", "An investigation was opened"),
        ("investigation_not_opened", "No investigation was opened"),
        ("investigation_ongoing", "An investigation is already under way"),
        ("referral_handled", "The referral has been handled"),
    ];
    /// New subjects, reports, referrals.
    nav_new: &'static str = "Ny aktualisering", "New referral";
    subject_title: &'static str = "Sök eller registrera en ung person", "Find or register a young person";
    subject_intro: &'static str = "Sök först på personnumret, så att ingen registreras två gånger.", "Search by identity number first, so nobody is registered twice.";
    number: &'static str = "Personnummer eller samordningsnummer (ÅÅÅÅMMDD-NNNN)", "Personal or coordination number (YYYYMMDD-NNNN)";
    search_submit: &'static str = "Sök", "Search";
    number_missing: &'static str = "Skriv personnumret", "Write the identity number";
    found: &'static str = "Personen finns redan registrerad.", "This person is registered already.";
    not_found_register: &'static str = "Ingen är registrerad med numret. Registrera personen nedan.", "Nobody is registered with this number. Register them below.";
    register_title: &'static str = "Registrera", "Register";
    given_name: &'static str = "Förnamn", "Given name";
    family_name: &'static str = "Efternamn", "Family name";
    district: &'static str = "Stadsdelsområde", "District";
    school: &'static str = "Skola (valfritt)", "School (optional)";
    register_submit: &'static str = "Registrera personen", "Register the person";
    name_missing: &'static str = "Skriv förnamn och efternamn", "Write the given and family names";
    district_missing: &'static str = "Välj stadsdelsområde", "Choose the district";
    protected_warning: &'static str = "Personen har skyddade personuppgifter. Lämna aldrig ut adress, skola eller annat som kan röja var personen finns.", "This person has protected identity. Never disclose an address, school or anything else that could reveal where they are.";
    referral_new_title: &'static str = "Ny aktualisering eller orosanmälan", "New referral or report of concern";
    about: &'static str = "Gäller", "About";
    send_kind: &'static str = "Vad skickas", "What is sent";
    send_reason: &'static str = "Vad oron gäller, med egna ord", "What the concern is, in your words";
    send_concerns: &'static str = "Oro", "Concerns";
    basis_title: &'static str = "Grund för att lämna ut uppgifterna", "What allows the disclosure";
    basis_intro: &'static str = "En orosanmälan till socialtjänsten behöver varken samtycke eller lagrum. En aktualisering till en annan verksamhet skickas med ett samtycke som omfattar mottagaren och uppgifterna, eller med lagrummet som tillåter det.", "A report of concern to social services needs neither a consent nor a legal ground. A referral to another service is sent under a consent covering the receiver and the information, or under the provision that allows it.";
    send_consent: &'static str = "Samtycke", "Consent";
    send_ground: &'static str = "Lagrum", "Legal ground";
    send_information: &'static str = "Uppgifter som lämnas ut", "Information disclosed";
    send_submit: &'static str = "Skicka", "Send";
    send_kinds: Table = &[("report_of_concern", "Orosanmälan"), ("referral", "Aktualisering")], &[("report_of_concern", "Report of concern"), ("referral", "Referral")];
    send_kind_missing: &'static str = "Välj vad som skickas", "Choose what is sent";
    subject_missing: &'static str = "Sök först fram personen", "Find the person first";
    refer_link: &'static str = "Skicka en aktualisering om personen", "Send a referral about this person";
    report_new_title: &'static str = "Registrera en orosanmälan", "Register a report of concern";
    reporter: &'static str = "Vem anmäler", "Who reports";
    reporter_identity: &'static str = "Anmälarens namn och hur hen nås (tomt om anonym)", "The reporter's name and how to reach them (empty if anonymous)";
    reporter_missing: &'static str = "Välj vem som anmäler", "Choose who reports";
    reporters: Table = &[
        ("police", "Polisen"), ("police_notice_of_suspect", "Polisen (underrättelse om misstanke)"),
        ("health_care", "Hälso- och sjukvården"), ("school", "Skolan"), ("preschool", "Förskolan"),
        ("other_authority", "Annan myndighet"), ("professional", "Yrkesverksam"), ("relative", "Anhörig"),
        ("private_person", "Privatperson"), ("child", "Barnet självt"), ("anonymous", "Anonym"),
    ], &[
        ("police", "The police"), ("police_notice_of_suspect", "The police (notice of a suspect)"),
        ("health_care", "Health care"), ("school", "School"), ("preschool", "Preschool"),
        ("other_authority", "Another authority"), ("professional", "A professional"), ("relative", "A relative"),
        ("private_person", "A private person"), ("child", "The child"), ("anonymous", "Anonymous"),
    ];
    register_report_submit: &'static str = "Registrera anmälan", "Register the report";
    journal_title: &'static str = "Journal", "Journal";
    day: &'static str = "dag", "day";
    users_title: &'static str = "Användare", "Users";
    admin_only: &'static str = "Sidan är till för administratörer.", "The page is for administrators.";
    users_list: &'static str = "Konton", "Accounts";
    username: &'static str = "Användarnamn", "Username";
    account_state: &'static str = "Status", "State";
    change_account: &'static str = "Ändra", "Change";
    active: &'static str = "Aktiv", "Active";
    inactive: &'static str = "Inaktiverad", "Deactivated";
    change_role_submit: &'static str = "Ändra roll och enhet", "Change role and unit";
    deactivate: &'static str = "Inaktivera", "Deactivate";
    add_user_title: &'static str = "Lägg till en användare", "Add a user";
    add_user_submit: &'static str = "Lägg till användaren", "Add the user";
    first_password: &'static str = "Första lösenord, minst 12 tecken (personen väljer ett eget vid första inloggningen)", "First password, at least 12 characters (they choose their own at their first sign-in)";
    account_username_missing: &'static str = "Skriv användarnamnet", "Write the username";
    role_missing: &'static str = "Välj roll", "Choose the role";
    first_password_missing: &'static str = "Skriv ett första lösenord", "Write a first password";
    nav_admin: &'static str = "Användare", "Users";
    statement_intro: &'static str = "Lots är socialtjänstens och samverkanspartnernas system för ärenden och aktualiseringar i Stockholms trygghetsprogram. Vi vill att alla som arbetar i det ska kunna använda det, och den här redogörelsen beskriver hur Lots uppfyller lagen (2018:1937) om tillgänglighet till digital offentlig service, kända brister och hur du kan rapportera problem.", "Lots is the case and referral system of social services and their partners in Stockholm's safety programme. We want everyone who works in it to be able to use it; this statement describes how Lots meets the Swedish act (2018:1937) on accessibility to digital public services, the shortcomings we know of, and how to report a problem.";
    statement_status_title: &'static str = "Hur tillgänglig är Lots?", "How accessible is Lots?";
    statement_status: &'static str = "Lots är delvis förenlig med WCAG 2.1 nivå AA (EN 301 549). Sidorna fungerar med tangentbord och skärmläsare, har en länk först i tabbordningen till huvudinnehållet, synligt fokus, en huvudrubrik per sida och felmeddelanden både i en sammanfattning och vid varje fält. Sidorna fungerar utan JavaScript.", "Lots partly conforms to WCAG 2.1 level AA (EN 301 549). The pages work with a keyboard and a screen reader, have a link to the main content first in the tab order, visible focus, one main heading a page, and errors both in a summary and beside each field. The pages work without JavaScript.";
    statement_gaps_title: &'static str = "Kända brister", "Known shortcomings";
    statement_gaps: &'static str = "Vissa regelbrott som domänen själv formulerar visas ännu på engelska. Datum skrivs i textfält (ÅÅÅÅ-MM-DD) snarare än i separata fält för dag, månad och år. Utfallsdiagrammen och utskriftsvyn är ännu inte byggda.", "Some refusals the domain itself words are still shown in English. Dates are typed into one text field (YYYY-MM-DD) rather than separate fields for day, month and year. The outcome charts and the print view are not yet built.";
    statement_report_title: &'static str = "Rapportera ett problem", "Report a problem";
    statement_report: &'static str = "Om du inte kan använda någon del av Lots, eller upptäcker en brist som inte står här, skriv till systemförvaltningen på tillganglighet@lots.example eller via förvaltningens IT-support. Berätta vilken sida det gäller och vad som hände; vi svarar inom fem arbetsdagar. Skriv aldrig uppgifter om en person i meddelandet.", "If you cannot use some part of Lots, or find a shortcoming not listed here, write to the system administration at tillganglighet@lots.example or through your administration's IT support. Say which page and what happened; we answer within five working days. Never write anything about a person in the message.";
    statement_enforcement_title: &'static str = "Tillsyn", "Enforcement";
    statement_enforcement: &'static str = "Myndigheten för digital förvaltning (Digg) har ansvar för tillsyn över lagen. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du kontakta Digg och påtala det.", "The Agency for Digital Government (Digg) enforces the act. If you are not satisfied with how we handle your report, you can contact Digg.";
    statement_testing_title: &'static str = "Hur vi testat", "How we tested";
    statement_testing: &'static str = "Varje sida testas automatiskt i Chromium med axe-core mot WCAG 2.1 A och AA, på svenska och engelska, varje gång Lots byggs; tangentbordsordning och rubriker kontrolleras i samma test. Redogörelsen uppdaterades den 3 december 2026.", "Every page is tested automatically in Chromium with axe-core against WCAG 2.1 A and AA, in Swedish and English, every time Lots is built; the keyboard order and headings are checked in the same test. This statement was updated on 3 December 2026.";
    access_title: &'static str = "Åtkomstgranskning", "Access review";
    access_intro: &'static str = "Vem har läst vilket ärende, när och varför. Avvikande läsningar markeras i ord.", "Who read which case, when and why. Unusual reads are marked in words.";
    all_units: &'static str = "Alla enheter", "All units";
    access_user: &'static str = "Användare (användarnamn)", "User (username)";
    access_subject: &'static str = "Person (id) – vem har läst om den här personen", "Person (id) – who has read about this person";
    access_from: &'static str = "Från (ÅÅÅÅ-MM-DD)", "From (YYYY-MM-DD)";
    access_to: &'static str = "Till och med (ÅÅÅÅ-MM-DD)", "To (YYYY-MM-DD)";
    only_unusual: &'static str = "Bara avvikande läsningar", "Only unusual reads";
    export_csv: &'static str = "Exportera sidan som CSV", "Export the page as CSV";
    no_reads: &'static str = "Inga läsningar motsvarar urvalet.", "No reads match.";
    access_caption: &'static str = "Läsningar, äldst först", "Reads, oldest first";
    read_when: &'static str = "När", "When";
    marks: &'static str = "Avvikelse", "Unusual";
    mark_outside_unit: &'static str = "utanför enheten", "outside the unit";
    mark_protected: &'static str = "skyddad person", "protected person";
    mark_outside_hours: &'static str = "utanför arbetstid", "outside working hours";
    no_such_user: &'static str = "Det finns ingen användare med det namnet", "There is no user by that name";
    no_such_subject: &'static str = "Skriv personens id som det står i ärendet", "Write the person's id as the case gives it";
    nav_audit: &'static str = "Verifiering", "Verification";
    nav_access: &'static str = "Åtkomstgranskning", "Access review";
    verify_title: &'static str = "Verifiering av loggarna", "Verification of the logs";
    verify_alert: &'static str = "Verifieringen misslyckades: loggen stämmer inte med sina sigill.", "The verification failed: the log does not match its seals.";
    verify_failed: &'static str = "Körningen som slutade", "The run that finished";
    verify_started: &'static str = "En verifiering har startat; resultatet visas här när den är klar.", "A verification has started; its result shows here when it is done.";
    verify_too_soon: &'static str = "En verifiering startades nyss; vänta en stund.", "A verification was started a moment ago; wait a little.";
    verify_running: &'static str = "En verifiering pågår.", "A verification is running.";
    verify_start: &'static str = "Starta en verifiering", "Start a verification";
    seal_title: &'static str = "Sigill och nyckel", "Seal and key";
    seal_index: &'static str = "Senast förseglade händelse (index)", "Last sealed event (index)";
    seal_hash: &'static str = "Kedjans hash efter den", "The chain's hash after it";
    key_fingerprint: &'static str = "Den publika nyckelns fingeravtryck", "The public key's fingerprint";
    runs_title: &'static str = "Senaste körningar", "Latest runs";
    no_runs: &'static str = "Ingen verifiering har körts än.", "No verification has run yet.";
    run_result: &'static str = "Resultat", "Result";
    run_finished: &'static str = "Klar", "Finished";
    run_by: &'static str = "Begärd av", "Requested by";
    run_events: &'static str = "Händelseloggen", "The event log";
    run_access: &'static str = "Åtkomstloggen", "The access log";
    run_ok: &'static str = "Godkänd", "Passed";
    run_failed: &'static str = "Misslyckad", "Failed";
    background: &'static str = "Lots (schemalagd)", "Lots (scheduled)";
    events_verified: &'static str = "händelser verifierade", "events verified";
    checkpoints: &'static str = "signerade kontrollpunkter", "signed checkpoints";
    entries_verified: &'static str = "poster verifierade", "entries verified";
    audit_title: &'static str = "Granskning av ärende", "Audit of case";
    audit_only: &'static str = "Sidan är till för granskare.", "The page is for auditors.";
    audit_now: &'static str = "Ärendet som det är nu, med hela sin historik.", "The case as it is now, with its whole history.";
    audit_before: &'static str = "Ärendet innan dess första händelse.", "The case before its first event.";
    audit_at: &'static str = "Ärendet som det var efter händelse", "The case as it stood after event";
    of: &'static str = "av", "of";
    log_position: &'static str = "plats i loggen", "position in the log";
    audit_reason: &'static str = "Skäl för granskningen", "Reason for the audit";
    audit_steps: &'static str = "Stega i historiken", "Step through the history";
    previous_event: &'static str = "Föregående händelse", "Previous event";
    next_event: &'static str = "Nästa händelse", "Next event";
    audit_now_link: &'static str = "Som det är nu", "As it is now";
    state_title: &'static str = "Ärendets läge", "The case's state";
    history_title: &'static str = "Historik", "History";
    what: &'static str = "Vad", "What";
    who: &'static str = "Vem", "Who";
    role: &'static str = "Roll", "Role";
    happened: &'static str = "Dag det hände", "Day it happened";
    recorded_col: &'static str = "Registrerad", "Recorded";
    shown_here: &'static str = "läget ovan", "the state above";
    position_label: &'static str = "Plats i loggen", "Position in the log";
    as_of_label: &'static str = "eller tidpunkt (t.ex. 2026-12-01T12:00:00Z)", "or a moment (e.g. 2026-12-01T12:00:00Z)";
    as_of_wrong: &'static str = "Skriv tidpunkten som 2026-12-01T12:00:00Z", "Write the moment as 2026-12-01T12:00:00Z";
    show: &'static str = "Visa", "Show";
    corrects: &'static str = "Rättar anteckningen (tomt för en ny anteckning)", "Corrects the note (empty for a new note)";
    accept_into_title: &'static str = "Anta till ett pågående ärende", "Accept into an open case";
    accept_into_case: &'static str = "Ärende om samma person", "Case about the same person";
    accept_into_submit: &'static str = "Anta till ärendet", "Accept into the case";
    case_missing: &'static str = "Välj ärendet", "Choose the case";
    guardian_title: &'static str = "Koppla en vårdnadshavare", "Link a guardian";
    guardian_submit: &'static str = "Registrera och koppla", "Register and link";
    guardian_birth_year: &'static str = "Födelseår (om personnummer saknas)", "Year of birth (without an identity number)";
    reassign_title: &'static str = "Flytta markerade ärenden", "Move the cases ticked";
    reassign_to: &'static str = "Till handläggare", "To worker";
    reassign_submit: &'static str = "Flytta ärendena", "Move the cases";
    pick: &'static str = "Välj", "Pick";
    pick_case: &'static str = "Välj ärende", "Pick case";
    pick_missing: &'static str = "Markera minst ett ärende att flytta", "Tick at least one case to move";
    check_title: &'static str = "Kontrollera beslutet", "Check the decision";
    check_intro: &'static str = "Beslutet sparas först när du bekräftar det. Ändra det som inte stämmer.", "The decision is recorded only when you confirm it. Change what is not right.";
    confirm: &'static str = "Bekräfta och spara beslutet", "Confirm and record the decision";
    change: &'static str = "Ändra", "Change";
    forbidden: &'static str = "Din roll får inte göra det här", "Your role may not do this";
    /// A rule of the domain that refuses a step, by its name, in plain words (`{date}` stands for the date the
    /// domain's own message names); the English pages use the domain's English message.
    rules: Table = &[
        ("Closed", "Ärendet är avslutat"),
        ("NotClosed", "Ärendet är inte avslutat"),
        ("NotAllowedInPhase", "Det går inte i ärendets nuvarande skede"),
        ("NotAllowedInStatus", "Det går inte medan aktualiseringen har den här statusen"),
        ("NotASocialServicesCase", "Bara socialtjänstens ärenden har förhandsbedömning och utredning"),
        ("NoConcernCategory", "Välj minst ett område för oron"),
        ("ProtectionAssessmentLateWithoutReason", "Skyddsbedömningen skulle ha gjorts senast {date}; skriv varför den görs senare"),
        ("ProtectionAssessmentMissing", "Gör skyddsbedömningen före förhandsbedömningen"),
        ("DeadlinePassedWithoutReason", "Förhandsbedömningen skulle ha gjorts senast {date}; ett senare beslut behöver synnerliga skäl"),
        ("ExtensionNotLater", "Den nya sista dagen måste komma efter den nuvarande ({date})"),
        ("InvestigationLateWithoutReason", "Utredningen skulle ha varit klar {date}; skriv varför den blir klar senare"),
        ("ExtensionAfterDeadline", "Utredningstiden kan bara förlängas innan den har gått ut"),
        ("NoInvestigationSupportsIntervention", "Beslut om insats efter utredning fattas när utredningen visat att insatser behövs"),
        ("UnknownIntervention", "Insatsen finns inte i ärendet"),
        ("InterventionNotInStatus", "Det går inte i insatsens nuvarande läge"),
        ("NoGoals", "En plan behöver minst ett mål"),
        ("TooManyGoals", "Planen har för många mål"),
        ("FollowUpBeforeStart", "Första uppföljningen kan inte komma före den planerade starten"),
        ("NextFollowUpNotLater", "Nästa uppföljning måste komma efter den här"),
        ("OutcomeContradictsStart", "Hur insatsen slutade stämmer inte med om den kom i gång"),
        ("AlreadyResponsible", "Handläggaren är redan ansvarig"),
        ("MayOnlyAssignThemselves", "En socialsekreterare kan bara utse sig själv som ansvarig"),
        ("TransferToSameUnit", "Ärendet finns redan på den enheten"),
        ("TransferToOtherKindOfUnit", "Ett ärende överförs bara till en enhet av samma slag"),
        ("PreliminaryAssessmentPending", "Gör förhandsbedömningen innan ärendet avslutas"),
        ("InterventionsStillActive", "Avsluta alla insatser innan ärendet avslutas"),
        ("NotDelegated", "Enhetens delegationsordning låter inte din roll fatta det här beslutet"),
        ("NoInvestigationOpen", "Ett interimistiskt beslut fattas medan en utredning pågår"),
        ("NeedsAssessmentRequired", "Den insatsen beslutas efter en individuell behovsprövning, aldrig utan"),
        ("CannotReferToOwnUnit", "En enhet kan inte skicka till sig själv"),
        ("ReceiverTakesNoReferrals", "Den enheten tar inte emot aktualiseringar"),
        ("ReportOfConcernMustGoToSocialServices", "En orosanmälan skickas till socialtjänsten"),
        ("DisclosureBasisMissing", "En aktualisering behöver ett samtycke eller ett lagrum som tillåter att uppgifterna lämnas ut"),
        ("NoInformationCategory", "Välj minst en sorts uppgift som lämnas ut"),
        ("ProtectionAssessmentRequired", "En orosanmälan tas emot med en skyddsbedömning"),
        ("ReportOfConcernCannotBeDeclined", "En orosanmälan avböjs inte: bedöm den, eller överlämna den till kommunen som ansvarar"),
        ("OnlyReportsAreHandedOver", "Bara en orosanmälan överlämnas till en annan kommun"),
        ("MunicipalityMissing", "Skriv vilken kommun anmälan går till"),
        ("ReportOfConcernCannotBeWithdrawn", "En orosanmälan kan inte tas tillbaka"),
        ("ReportsAreRegisteredBySocialServices", "Orosanmälningar registreras av socialtjänsten"),
        ("InterventionStartAlreadyReported", "Insatsens start är redan rapporterad"),
        ("InterventionEndAlreadyReported", "Insatsens slut är redan rapporterat"),
        ("ReporterAnonymous", "Anmälan var anonym: det finns ingen att återkoppla till"),
        ("OnlyReportsOweFeedback", "Bara den som gjort en orosanmälan har rätt till återkoppling"),
        ("FeedbackAlreadySettled", "Återkoppling är redan given"),
        ("OnlyCorrectionsWhenClosed", "Ett avslutat ärende tar bara emot rättelser av tidigare anteckningar"),
        ("UnknownNote", "Anteckningen som ska rättas finns inte i ärendet"),
    ], &[];
    day_left: &'static str = "dag kvar", "day left";
    person_title: &'static str = "Den unga personen", "The young person";
    name: &'static str = "Namn", "Name";
    number_label: &'static str = "Personnummer", "Identity number";
    birth_year: &'static str = "Födelseår", "Year of birth";
    school_label: &'static str = "Skola", "School";
    hidden: &'static str = "Visas inte för dig (skyddade personuppgifter)", "Not shown to you (protected identity)";
    erased_person: &'static str = "Uppgifterna är raderade", "The identity has been erased";
});
