//! Concepts: groups of words and phrases that mean the same thing to secbot ("crack", "brute
//! force", "pwn" are all *attack*; "gmail", "pastebin", "a vendor" are all *outside*). The
//! intent model reads which concepts a prompt touches, and which pairs of them, so that what it
//! learns from one phrasing carries to words it never saw in training: this is the domain
//! knowledge a linear model over words cannot find by itself.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Each concept and the phrases (lowercase words, as the parser normalizes them) that signal it.
const CONCEPTS: &[(&str, &str)] = &[
    // What secbot is asked to do.
    (
        "list",
        "show|list|display|find|which|what are|give me|get me|pull up|any|anything|enumerate|see|view|search|filter|gimme|lemme see|show me|are there|do we have|is there|listing|listed|lists|showing|shows|displays|can i get|could i get|lemme|bring up|grab|fetch me|look up|lookup|look for|looking for|searching|filtered|narrow down|narrowed down|name the|point me to|have we got|do we still have|do i have|what we got|identify|pinpoint|browse|enumeration|whatcha got|rattle off",
    ),
    (
        "findings",
        "findings|finding|risks|risk|issues|issue|problems|problem|vulns|vulnerabilities|vulnerability|recommendations|recommendation|recs|misconfigurations|misconfiguration|misconfigs|gaps|weaknesses|exposures|stuff|things wrong|open items|failing|fails|fail|unhealthy|non compliant|noncompliant|flagged|vulnerable|misconfig|misconfigured|mis configured|mis configs|mis config|weakness|gap|holes|hole|loopholes|flaw|flaws|defects|security bugs|cves|cve|red items|flags|flagging|recommended actions|action items|not healthy|failed checks|assessments|assessment|unresolved|non compliance|noncompliance|concerns|weak spots|weak points|soft spots|bad configs|bad config|insecure|whats wrong|what is wrong|wrong with|unpatched|missing patches|missing updates|outdated|trouble spots|shortcomings|deficiencies|nonconformities|violations",
    ),
    (
        "ranking",
        "top|biggest|worst|scariest|riskiest|highest|most urgent|most critical|most dangerous|most important|priority|prioritize|on fire|worry|burning|hottest|fix first|look at first|priorities|prioritise|prioritised|prioritized|prioritizing|prioritising|prioritization|prioritisation|triage|triaged|triaging|rank|ranked|ranking|rankings|order by|sorted by|sort by|most severe|most serious|most exposed|most at risk|most risky|most concerning|most worrisome|most impactful|most vulnerable|p0|p1|sev1|sev 1|worried about|worrying|keep me up|keeps me up|up at night|lose sleep|tackle first|start with|where to start|where do i start|where should i start|where should we start|first thing|do first|address first|focus on|focus first|should focus|urgent|urgently|hotspots|hot spots|low hanging fruit|quick wins|quick win|offenders|weakest|greatest risk|largest risk|matters most|most attention|needs attention|need attention|pressing|time sensitive|critical first|number one|no 1",
    ),
    (
        "count",
        "how many|number of|count|counts|total|tally|numbers|stats|statistics|breakdown|by severity|per severity|metrics|figure|figures|percent|percentage|how much|counting|counted|totals|totaled|totalled|sum|tallies|num|no of|amount of|quantity|broken down|break down by|split by|grouped by|group by|per subscription|per sub|per resource|per team|per owner|per cloud|by cloud|by subscription|by resource type|by type|by category|by owner|by sev|per sev|severity split|severity mix|by criticality|by risk level|per risk level|distribution|histogram|chart|numerical|ratio|proportion|fraction|pct|hw many|howmany|quantify|quantified|average|averages|avg|mttr|mean time to remediate|ballpark",
    ),
    (
        "change",
        "changed|change|changes|new|newly|since|overnight|yesterday|last night|last week|this week|today|delta|diff|different|trend|trending|better|worse|improved|improve|regressed|progress since|resolved since|fixed since|compared|vs last|week over week|daily|weekly|monthly|over time|changing|newer|newest|latest|recent|recently|lately|past week|past 24 hours|last 24 hours|24h|past day|last month|this month|past month|last sprint|this morning|over the weekend|this weekend|last weekend|last quarter|this quarter|quarter over quarter|qoq|month over month|day over day|year over year|yoy|week on week|month on month|diffs|differences|difference|deltas|trends|trendline|historical|over the last|over the past|in the last|in the past|improving|improvement|improvements|worsening|worsened|regressing|went up|gone up|go up|went down|gone down|dropped|dip|dipped|spike|spiked|jumped|increase|increased|increasing|decrease|decreased|decreasing|compare|comparing|than before|before and after|appeared|popped up|showed up|cropped up|crept in|introduced|first seen|first detected|changelog|nightly",
    ),
    (
        "overview",
        "summary|summarize|summarise|summaries|recap|overview|tldr|rundown|run down|brief|briefing|digest|posture|big picture|high level|one pager|snapshot|state of|report|exec|executive|ciso|board|standup|stand up|sync|nutshell|short version|gist|in short|sum up|wrap up|summarized|summarised|summarizing|summarising|summarization|summarisation|summery|recaps|recapped|overviews|tl dr|rundowns|briefly|briefed|debrief|sitrep|sit rep|health check|healthcheck|security health|lay of the land|where do we stand|where we stand|where are we at|how are we doing|how we doing|how do we look|how are things|temperature check|pulse check|at a glance|birds eye|helicopter view|30000 foot|10000 foot|key points|takeaways|highlights|main points|bullet points|boil it down|condense|condensed|elevator pitch|leadership update|for leadership|for management|execs|c suite|c level|cio|reporting|reports|write up|writeup|memo|newsletter|overall|general picture|whole picture|full picture|outline|morning update|daily update|update me|catch me up|up to speed|fill me in|status update|quick update|roundup|round up|wrapup|sum it up|summing up|landscape",
    ),
    (
        "score",
        "secure score|score|scores|scoring|percentage points|points|securescore|scorecard|scorecards|grade|grades|graded|scored|pts|percentage point|out of 100|out of a hundred|our number|how secure are we|secure percentage",
    ),
    (
        "explain",
        "why|explain|explanation|mean|means|meaning|matter|matters|care|dangerous|danger|serious|severe|how bad|big deal|risk of|impact|consequence|consequences|what happens|worst case|exploit chance|likely|threat|threats|protect|protects|protecting|prevent|prevents|defend|story|tell me about|details|detail|more on|more about|more info|info on|info about|elaborate|expand|dig into|deep dive|describe|explains|explained|explaining|explainer|explanations|clarify|clarification|whats this|what is this|what does it do|whats the deal|whats up with|meant|plain english|plain language|layman|laymans terms|eli5|dumb it down|simple terms|in english|context|background|rationale|reasoning|reason|reasons|how come|whats the risk|impacts|implications|implication|ramifications|fallout|repercussions|so what|is it bad|is this bad|how risky|how worried|how concerned|severity of|criticality|exploitable|exploitability|likelihood|probability|chances|odds|attack vector|attack vectors|could happen|go wrong|what if|scenario|real world|tell me more|in depth|detailed|deeper|drill down|drill into|zoom in|dive into|deepdive|describes|described|description|definition|define|stands for|the point of|purpose|hurt us|harm|harmful|damage|damaging|guards against|defends|defending|safeguard|safeguards|so bad|that bad|wdym|help me understand|dont understand|dont get|confused|confusing|in simple words|simply put|unpack",
    ),
    (
        "doubt",
        "false positive|fp|legit|real|really|for real|actually|sure|scanner|noise|not applicable|decommissioned|decomm|decommed|retired|deleted already|already fixed|behind|mitigated|compensating|accept|irrelevant|wrong finding|false positives|fps|false alarm|false alarms|bogus|spurious|erroneous|incorrect|inaccurate|mistake|mistaken|misreported|is this right|is that right|noisy|not an issue|not a problem|non issue|nonissue|not relevant|doesnt apply|does not apply|already patched|already remediated|already resolved|already done|already handled|already addressed|already gone|already deleted|no longer exists|doesnt exist|been deleted|was deleted|decommissioning|decom|sunset|sunsetted|deprecated|handled elsewhere|by design|intended|intentional|expected behavior|expected behaviour|on purpose|deliberate|overblown|overrated|exaggerated|overstated|paranoid|fud|hype|theoretical|edge case|unlikely|trust this|trustworthy|reliable|can we trust|double check|sanity check|tool is wrong|misfire|misfiring|glitch|wrongly flagged|incorrectly flagged|flagged wrongly|shouldnt be flagged|shouldnt be there|seriously|truly|genuine|genuinely|valid|invalid|validity|true positive|doesnt matter|dont think so|doubt|skeptical|sceptical|not convinced|questionable|finding is wrong|seems wrong|looks wrong|is it wrong",
    ),
    (
        "breakage",
        "break|breaks|breaking|broke|downtime|outage|maintenance window|reboot required|restart required|disrupt|disruption|user impact|side effect|side effects|regression|safe to|risky to change|impact on users|broken|breakage|brick|bricked|take down|takes down|take it down|knock over|knock offline|outages|downtimes|down time|interruption|interrupt|disrupting|disruptive|disrupted|disruptions|regressions|needs a reboot|require a reboot|requires a reboot|requires restart|requires a restart|need a restart|needs a restart|restart needed|reboot needed|maintenance windows|change window|change freeze|is it safe|safely|safe change|nondisruptive|impact on prod|impact production|affect prod|affect users|affect production|impact users|customer impact|service impact|app impact|compatibility|incompatible|backwards compatible|backward compatible|lock us out|lock ourselves out|locked out|lockout|cut off|cuts off|stop working|stops working|fall over|falls over|blow up|blows up|caveats|caveat|pitfalls|gotchas|collateral|knock on|unintended|production impact|any impact",
    ),
    (
        "fix",
        "fix|fixes|fixing|fixed|remediate|remediation|remediating|resolve|patch|patching|patched|mitigate|mitigation|harden|hardening|lock down|lockdown|close|tighten|secure|upgrade|update|bump|rebuild|rotate|enable|turn on|enforce|restrict|block|encrypt|configure|set up|apply|repair|address|sort out|deal with|get rid|clean up|cleanup|fixable|remediated|remediates|remediations|resolving|resolved|resolves|patches|mitigating|mitigations|hardened|locked down|locking down|lock it down|tightened|tightening|secured|securing|upgraded|upgrading|bumped|rotated|rotating|enabling|turn it on|switch on|enforced|enforcing|enforcement|restricted|restricting|blocking|encrypted|encrypting|configured|configuring|reconfigure|set it up|applied|applying|repaired|addressed|addressing|sort it|sort this|clean it up|cleaned up|cleaning up|plug|shore up|button up|batten down|remedy|remedies|hotfix|quickfix|corrective action|correct it|rectify|least privilege|make private|make it private|private endpoint|private link|revoke|revoking|remove access|scope down|downscope|tackle|tackling|action it|work through|resolution|solve|solved|solving|solution|solutions|get it sorted|sorted out",
    ),
    (
        "how",
        "how|how do|how to|how can|how would|how should|steps|step by step|walk me through|walk through|guide|instructions|procedure|process|what do i do|what should we do|what do we do|what s the way|the way to|best way|hw|howto|step|stepwise|walkthrough|walk us through|talk me through|talk through|guidance|guided|instruction|procedures|processes|playbook|runbook|run book|checklist|check list|what do i need to do|what should i do|what needs to be done|what do we need to do|whats the way|the right way|recommended way|proper way|correct way|approach|best practice|best practices|teach me|tips|pointers|advice|advise|go about|order of operations|ways to|a way to|guides|by hand|manually|in the portal|via the portal|click through|clickops",
    ),
    (
        "script",
        "script|scripts|command|commands|cli|az|azure cli|aws cli|gcloud|gsutil|powershell|pwsh|ps|bicep|terraform|tf|hcl|arm template|arm|cloudformation|iac|one liner|oneliner|snippet|code|yaml|json|kubectl|helm|bash|shell|scripted|scripting|automate|automation|azcli|boto3|sdk|ps1|cmdlet|cmdlets|templates|template|cfn|cdk|pulumi|ansible|opentofu|rest api|api call|curl|cloudshell|terminal|commandline|cmd|zsh|jq|yml|manifest|manifests|kustomize|dockerfile|snippets|copy paste|copy and paste|copypasta|one liners|oneliners|runnable|eksctl|s3api|azure resource manager|tfvars|terragrunt|crossplane|azd|posh|psh|makefile|github actions|pasteable|boto|rego",
    ),
    (
        "exempt",
        "exempt|exemption|exemptions|exempted|waive|waiver|waived|suppress|suppression|dismiss|dismissed|risk accepted|accept the risk|accepted risk|risk acceptance|mark as resolved|mark resolved|marked resolved|close out|closed out|mark as fixed|mark fixed|resolve them|silence|mute|snooze|ignore the finding|hide|hidden|hiding|not applicable|exempting|exempts|exception|exceptions|carve out|carveout|carve outs|whitelist|whitelisted|allowlist|allow list|allowlisted|waivers|waiving|suppressed|suppressing|suppressions|dismissing|dismissal|risk accept|accept risk|accepting the risk|accepted the risk|risk accepting|risk register|mark as accepted|mark as done|mark done|mark as complete|mark it|mark them|close it out|close them|closing out|muted|muting|silenced|silencing|snoozed|snoozing|ignore it|ignore this|ignore them|ignored|ignoring|stop flagging|stop alerting|stop showing|stop reporting|dont flag|not flag|exclude|excluded|exclusion|exclusions|excluding|opt out|defer|deferral|deferred|wont fix|wontfix|grandfather|grandfathered|park it|shelve|shelved",
    ),
    (
        "delegate",
        "assign|assigned|reassign|delegate|delegated|delegating|hand off|hand over|handoff|hand it|hand this|pass to|pass it|give it|give this|give the|take it|take this|take the|can take|own it|owns it|make owner|send it to|send this to|loop in|assigns|assigning|reassigned|reassigning|delegates|delegation|handing off|handed off|handing over|handed over|handover|hand them|hand these|pass this|pass these|pass them|passed to|pass along|pass on|route to|route this|route it|give these|give them to|give ownership|transfer ownership|make them owner|make him owner|make her owner|set owner|set the owner|change owner|change the owner|set assignee|put it on|put this on|put them on|task him|task her|task them|tasked|tasking|allocate to|dish out|farm out|farm it out|offload|punt|escalate to|tag in|rope in|get him to|get her to|get them to|ask him to|ask her to|have him|have her|let him handle|let her handle|let them handle|take ownership|give to|give em|split between|divvy up|distribute among|put him on|put her on",
    ),
    (
        "due",
        "due|by friday|by monday|deadline|eod|eow|end of day|end of week|end of month|next week|tomorrow|tmrw|in two weeks|in 2 weeks|sprint|by tuesday|by wednesday|by thursday|by saturday|by sunday|by end of|by the end of|deadlines|eom|eoq|eoy|end of quarter|end of year|end of the month|end of the week|end of the day|cob|close of business|within a week|within 2 weeks|within two weeks|within 30 days|in 30 days|in a week|in a month|in 3 days|in three days|next month|sprints|timeline|timeframe|time frame|target date|sla|slas|asap|as soon as possible|by when|no later than|nlt|tmr|tmw|tomoro|2moro|tonight|by noon|this friday|next friday|next monday|by q1|by q2|by q3|by q4|eta|before the weekend|before friday|before monday|month end|by the weekend",
    ),
    (
        "ownership",
        "owner|owners|owns|own|owned by|responsible|accountable|assignee|assigned to|who has|who s on|whos on|who is on|on it|handling|working on|picked up|pick up|took|taken|claimed|on their plate|plate|queue|backlog|workload|tasks|task|assignments|assignment|my stuff|my items|my list|mine|ownership|assignees|unowned|unassigned|orphaned|orphan|responsibility|responsibilities|in charge|point person|dri|whos got|who picked|whose|my todo|to do list|todo list|todos|to dos|work items|tickets|ticket|owning|taking care of|looking after|look after|looking into|whos looking at|who is looking at|picked it up|picking up|grabbed|my assigned|claim it|custodian|steward|stewards|my open items|my open findings|my findings|my recs|my risks|my work|my issues|on point|assigned items|assigned ones|whats assigned|what is assigned|caretaker|maintainer|maintainers|worklist",
    ),
    (
        "progress",
        "status|progress|overdue|late|past due|behind|on track|slipping|stuck|blocked|done|completed|complete|finished|closed|still open|open items|pending|outstanding|how far|how is|how are|doing on|due date|when was it due|when is it due|statuses|progressing|progressed|over due|lagging|delayed|delay|delays|ahead of schedule|on schedule|off track|slipped|slip|stalled|stalling|blocker|blockers|unblocked|waiting on|wip|underway|under way|ongoing|not started|havent started|started yet|finish|finishing|completion|closure|resolved yet|fixed yet|unfinished|incomplete|far along|update on|any update|any updates|updates on|where are we with|where are we on|chase|chasing|follow up|followup|nudge|nag|remind|reminder|reminders|check in on|stragglers|laggards|missed the deadline|missed deadline|past the deadline|past deadline|sla breach|burndown|burn down|how much left|whats left|remaining|left to do",
    ),
    (
        "person",
        "someone|somebody|anyone|anybody|nobody|no one|whoever|team|teammate|colleague|engineer|guy|teammates|colleagues|coworker|coworkers|co worker|co workers|engineers|devs|developer|developers|sre|sres|devops|person|people|folks|guys|gal|dude|bloke|chap|him|her|he|she|whomever|individual|member|staff|staffer|analyst|analysts|architect|intern|new hire|squad|human",
    ),
    (
        "self",
        "my|mine|myself|i m|i ve|i have|i got|im|ive|i am|i own|i was assigned|assigned to me|assigned me|personally|i was given|given to me|handed to me|yours truly|i need to fix|should i fix",
    ),
    (
        "attack_path",
        "attack path|attack paths|attack graph|attack chain|kill chain|path|paths|chain|chains|route in|way in|entry point|entry points|choke point|choke points|chokepoint|blast radius|radius|lateral|lateral movement|move laterally|pivot|pivoting|reach|reachable|get to|get into|hop|hops|crown jewels|toehold|foothold|downstream|what else|goes with it|attack route|attack routes|chained|chaining|pathway|pathways|ways in|entrypoint|entrypoints|entry vector|initial access|beachhead|stepping stone|stepping stones|hopping|traversal|traverse|security graph|spread|spreads|propagate|propagation|cascade|cascading|domino|reachability|reaches|reaching|get at|from there|pivots|pivoted|laterally|move sideways|east west|jumping off point|launch pad|launchpad|leapfrog|chokepoints|bottleneck|bottlenecks|crown jewel|high value assets|high value targets|hvt|upstream|killchain|attack story|how far could|how far can|where could they go|where can they go|access to what",
    ),
    (
        "compromise",
        "compromised|compromise|popped|owned|pwned|breached|breach|hacked|taken over|falls|fell|gets in|got in|attacker|attackers|adversary|intruder|outsider|hacker|bad guy|bad actor|threat actor|compromises|compromising|pop|pops|popping|breaches|breaching|hijack|hijacked|hijacking|takeover|take over|took over|taking over|infiltrate|infiltrated|infiltration|intrusion|intruders|broke in|broken into|got into|gets access|got access|gains access|gained access|bad actors|bad guys|adversaries|hackers|insider|insiders|rogue|black hat|blackhat|cybercriminal|cybercriminals|criminals|wrong hands|leaked|stolen|steal|stole|exfiltrated|attacked|under attack|infected|infection|malicious|if someone gets|if they get",
    ),
    (
        "exposure",
        "public|publicly|internet|exposed|exposure|internet facing|outside|external|externally|open to the world|world|anonymous|reachable from|publically|anonymously|outward facing|any ip|any source|allow all|wide open|open ports|open port|unauthenticated|no auth|without auth|without authentication|dmz|perimeter|attack surface|exposing|inbound|ingress|from anywhere|open to all|open to everyone|open rdp|open ssh|port 22|port 3389|exposes",
    ),
    (
        "sensitive",
        "sensitive|pii|customer data|personal data|financial|confidential|regulated|phi|cardholder|secrets store|crown jewels|personally identifiable|personal information|customer info|customer information|customer records|user data|payment data|card data|credit card|credit cards|card numbers|health data|health records|medical records|patient data|ephi|hr data|employee data|payroll data|financials|classified|restricted data|proprietary|intellectual property|trade secrets|source code|prod data|production data|production database|customer database|crown jewel|high value data|business critical|mission critical|critical data|critical assets|sensitivity|data classification|ssn|ssns|social security|pci data|private data|secret data|banking data|bank details",
    ),
    // What secbot itself is asked about.
    (
        "bot",
        "you|your|secbot|the bot|this bot|this thing|it s you|yourself|bot|youre|yours|youve|youll|youd|assistant|chatbot|ai|this tool|bots|robot",
    ),
    (
        "capability",
        "are you able|able to|capable|capabilities|capability|features|feature|support|supports|supported|what can|what could|what kind|what sort|what type|work with|works with|integrate|limitations|good at|not good at|can t do|cant do|abilities|ability|functionality|functionalities|what do you know|what are you|who are you|what else can you|what all can you|do you handle|do you cover|do you know about|supporting|compatible with|integrates|integration|integrations|limitation|constraints|unable to|cannot do|can not do|cant you|is it possible|possible to|skills|skill|superpowers|good for|strengths|know how to|which clouds|multi cloud|multicloud|which platforms|what platforms|do you do|roadmap|other clouds|aws too|gcp too|can you also",
    ),
    (
        "usage",
        "how to use|how do i use|how does this work|how does it work|get started|getting started|examples|example|sample|samples|try|ask you|questions|question|prompts|commands|docs|documentation|guide|manual|tutorial|help|how does this thing work|how to ask|how should i ask|what can i ask|what should i ask|what to ask|things to ask|cheat sheet|cheatsheet|quick start|quickstart|onboarding|getting going|usage|use cases|use case|usecases|how it works|intro|introduction|demo|showcase|faq|faqs|readme|keywords|phrasing|phrase it|word it|tips and tricks|best way to ask|ask the bot|talk to you|chat with you|interact|interacting|first time|new here|newbie|noob|beginner|get the most out of|wiki|knowledge base|how to talk",
    ),
    (
        "data_source",
        "data|source|sources|where does|come from|comes from|pull|pulls|fetch|scan|scans|scanning|fresh|freshness|stale|up to date|refresh|refreshed|sync|synced|last updated|how often|how old|latest data|real time|realtime|cache|cached|datasource|where do you get|where is this from|wheres this from|where did you get|pulled|pulling|fetched|fetching|scanned|rescan|crawl|crawled|ingest|ingested|ingestion|feed|feeds|out of date|latency|refreshes|refreshing|reload|reloaded|resync|syncs|syncing|how current|how recent|timestamp|as of|when was this|when did you last|caching|resource graph|under the hood|provenance|origin|based on what|connectors|connector|onboarded|visibility|which subscriptions|what subscriptions|which accounts",
    ),
    (
        "feedback",
        "feedback|thumbs|thumbs up|thumbs down|rating|ratings|flag an answer|looks right|needs improvement|inappropriate|report a bad answer|who reads|who sees|thumb up|thumb down|thumbsup|thumbsdown|upvote|downvote|upvoted|downvoted|rated|rate you|rate this|rate the answer|suggestion|suggestions|suggest a feature|feature request|feature requests|complaint|complain|complaints|report a bug|report an issue|report a problem|bad answer|wrong answer|incorrect answer|poor answer|unhelpful|not helpful|was this helpful|useless|flag this answer|flag the answer|flag a response|bad response|hallucinated|hallucination|hallucinating|made that up|made up|survey|nps|who reviews|who looks at|does anyone read|improve you|make you better|train you|learn from|report this answer|report this response",
    ),
    (
        "limits",
        "limit|limits|quota|budget|units|compute units|rate limit|throttle|throttled|stopped answering|stop answering|went quiet|no answer|didn t answer|didnt answer|cap|limited|limiting|quotas|budgets|caps|capped|ceiling|allowance|credits|unit|ratelimit|ratelimited|throttling|throttles|429|too many requests|exceeded|ran out|run out|used up|not responding|unresponsive|stopped responding|stop responding|no response|not answering|isnt answering|wont answer|didnt respond|silent|ghosted|ghosting|timeout|timed out|time out|hanging|per day|how many questions|how many requests|consumption|consumed|usage left|left this month|max questions",
    ),
    (
        "chat_tool",
        "slack|teams|microsoft teams|discord|dm|direct message|private message|channel|channels|thread|threads|webchat|web chat|install|add you|invite|msteams|dms|direct messages|direct msg|private chat|privately|in private|mention|mentions|notify|notification|notifications|threaded|group chat|guild|add the bot|add secbot|invited|kick you|webhook|webhooks|mattermost|google chat|gchat|emoji|reaction|reactions|adaptive card|slash command|app home|home tab|huddle|chat window",
    ),
    (
        "permission",
        "permission|permissions|role|roles|rbac|reader|security reader|access it needs|needs access|what access|owner role|contributor|scopes|consent|permissioned|access level|access levels|privileges|iam|rights|grant|granted|grants|read access|read only|readonly|write access|security admin|entra|aad|azure ad|app registration|oauth|have access|need access|requires access|can you access|can you read|can you write|least privileged",
    ),
    // Chatter and topics secbot doesn't cover.
    (
        "bot_personal",
        "feelings|feeling|feel|emotions|emotion|dream|dreams|dreaming|sleep|sleeping|lonely|loneliness|favourite|favorite|colour|color|hobby|hobbies|for fun|do for fun|on weekends|how old|your age|birthday|born|real person|a human|human|alive|sentient|conscious|married|girlfriend|boyfriend|friends|friend|love you|like you|miss me|your job|like your job|your name|nickname|bored|afraid|scared|happy|sad|personality|sense of humor|sense of humour|pet|pets|vacation|holiday|tired of|get tired|ever rest|day off|your day|about yourself|yourself|your life|your mood|mad at me|angry|upset|forgive|sorry|apologies|apologize|apologise|my bad|didnt mean|rude|be nice|good boy|cute|smart bot|dumb bot|stupid bot|useless bot",
    ),
    (
        "greeting",
        "hi|hello|hey|heya|hiya|yo|sup|howdy|good morning|morning|good afternoon|afternoon|good evening|evening|gm|greetings|hola|bonjour|hii|hiii|heyy|heyyy|helo|hallo|hullo|wassup|whats up|whatsup|wazzup|hows it going|how are you|how are u|how you doing|how ya doing|hows your day|gday|g day|mornin|good day|salut|ciao|namaste|ola|konnichiwa|guten tag|buenos dias|aloha|shalom|hej|hoi|moin|hellooo|welcome back|long time no see|nice to meet you|pleased to meet you|good to see you|whats good|anyone there|you there|you awake|are you alive|happy monday|happy friday",
    ),
    (
        "thanks",
        "thanks|thank you|thx|ty|tysm|cheers|appreciate|appreciated|much obliged|grateful|kudos|great work|good work|nice work|nice one|well done|good job|great job|good catch|nice catch|legend|lifesaver|you rock|awesome|perfect|brilliant|amazing|thankyou|thanx|thnx|thnks|tnx|tks|ta|tx|merci|danke|gracias|grazie|arigato|obrigado|very helpful|super helpful|really helpful|so helpful|sweet|excellent|fantastic|superb|stellar|top notch|spot on|nailed it|good bot|attaboy|atta boy|bless you|love it|love this|loved it|youre the best|hero|life saver|saved me|saved my bacon|props|shoutout|shout out|tyvm|tyty|thank|thanking|great answer|great help|big help|huge help|impressive|impressed|genius|wonderful|lovely|chefs kiss|well played|incredible|exactly what i needed|just what i needed|that helps|that helped|helps a lot|this helps",
    ),
    (
        "acknowledge",
        "ok|okay|k|kk|cool|got it|noted|sounds good|makes sense|will do|roger|ack|alright|fair|understood|gotcha|yep|yup|yeah|lol|lmao|rofl|haha|hahaha|heh|oof|ugh|sigh|wow|omg|damn|yikes|brb|afk|bbl|bye|goodbye|cya|see ya|gn|night|ttyl|okey|okie|oki|okok|sure thing|all good|all right|aight|ight|neat|sounds great|sounds fine|sounds right|that works|works for me|good point|point taken|copy that|affirmative|ah|ahh|oh|ohh|hmm|hm|hmmm|mhm|uh huh|ya|yea|yeh|yes|yess|no worries|np|no problem|nw|ofc|of course|for sure|crystal clear|all clear|got you|gotchu|acked|acknowledged|lolol|lmfao|xd|hehe|hahah|jk|just kidding|meh|welp|whoa|woah|wtf|ffs|jeez|geez|dang|darn|crap|holy cow|ouch|eek|facepalm|smh|idk|dunno|nvm|nevermind|never mind|laters|see you|catch you later|talk later|talk soon|goodnight|nite|byee|peace out|signing off|logging off|gtg|g2g|gotta go|bbs|back in a bit|be right back|ttys|adios|cheerio|take care|have a good one|have a good day|have a nice day",
    ),
    (
        "mood",
        "tired|exhausted|sleepy|coffee|caffeine|monday|mondays|friday|weekend|long day|long week|rough|stressed|busy|lunch break|hungry|bored|knackered|burnt out|burned out|burnout|drained|worn out|caffeinated|cuppa|nap|naptime|vibes|feeling down|sad|happy|grumpy|cranky|overwhelmed|swamped|slammed|drowning|anxious|stressful|stress|hectic|crazy day|crazy week|long night|late night|all nighter|no sleep|didnt sleep|hangover|hungover|tgif|hump day|weekends|lunchtime|starving|hangry|boring|sick|headache|motivation|unmotivated|procrastinating|procrastination|cant wait|excited|frustrated|fried|brain dead|sleep deprived|need sleep|so done|done for the day",
    ),
    (
        "unrelated",
        "weather|rain|raining|snow|sunny|forecast|temperature|lunch|dinner|breakfast|recipe|cook|cooking|boil|egg|eggs|pizza|coffee machine|restaurant|food|nba|nfl|football|soccer|cricket|baseball|basketball|game|match|world cup|team won|who won|movie|movies|film|netflix|song|music|lyrics|joke|jokes|funny|poem|haiku|story|birthday|vacation|holiday|holidays|pto|flight|hotel|travel|trip|visa|salary|payroll|raise|promotion|hr|benefits|remote work|laptop|printer|wifi|monitor|keyboard|mouse|email signature|outlook|calendar|excel|spreadsheet|powerpoint|slides|trivia|capital of|population|history|math|stock|stocks|crypto|bitcoin|btc|horoscope|news|election|rainy|cloudy|storm|stormy|thunder|hot outside|cold outside|humid|umbrella|degrees|celsius|fahrenheit|windy|sunshine|heatwave|recipes|bake|baking|cake|sandwich|burger|sushi|tacos|pasta|salad|vegan|vegetarian|snacks|takeout|takeaway|doordash|ubereats|grubhub|cafeteria|canteen|beer|wine|pub|drinks|nhl|mlb|hockey|tennis|golf|f1|formula 1|formula one|rugby|premier league|champions league|super bowl|superbowl|playoffs|olympics|ufc|boxing|lakers|yankees|arsenal|fifa|episode|spotify|playlist|podcast|podcasts|novel|anime|video games|gaming console|xbox|playstation|nintendo|youtube|meme|memes|riddle|riddles|limerick|sonnet|rap|sing|dance|fun fact|fun facts|quote of the day|motivational quote|inspirational quote|time off|day off|sick leave|annual leave|leave request|parental leave|maternity|paternity|expense|expenses|reimbursement|401k|pension|insurance|dentist|gym|workout|diet|fitness|yoga|parking|commute|traffic jam|chair|headset|webcam|dock|docking station|charger|translation|in spanish|in french|in german|tallest|largest country|president|prime minister|politics|political|war|science|physics|chemistry|biology|astronomy|planet|planets|moon|dinosaur|dinosaurs|animals|dog|dogs|cats|pet|pets|puppy|kitten|homework|essay|cover letter|job interview|dating|girlfriend|boyfriend|wife|husband|kids|wedding|gift|christmas|xmas|thanksgiving|halloween|easter|new year|diwali|ramadan|bbq|invest|investing|investment|ethereum|dogecoin|nft|lottery|real estate|mortgage|rent|car|cars|tesla|zodiac|astrology|tarot|meaning of life|philosophy|religion|quiz|crossword|wordle|sudoku|chess|celebrity|gossip|taylor swift|elon musk|flights|airport|airbnb|hotels|beach|time zone|timezone|what time is it|what day is it|calculator|currency|exchange rate|miles to km|word doc|ms word|zoom call|sports|weekend plans|tv|series finale",
    ),
    (
        "coding",
        "python|javascript|typescript|java|c#|c sharp|golang|rust|regex|regular expression|css|html|react|async|await|function|algorithm|sort a list|leetcode|unit test|stack overflow|compile|compiler|git rebase|merge conflict|sql query|write code|code for|py|js|nodejs|npm|pip|kotlin|swift|cpp|c plus plus|csharp|dotnet|ruby|rails|php|perl|scala|haskell|elixir|lua|dart|flutter|angular|vue|svelte|nextjs|django|flask|fastapi|spring boot|pandas|numpy|dataframe|jupyter|recursion|recursive|linked list|binary tree|big o|time complexity|data structure|data structures|for loop|while loop|object oriented|oop|promises|callback|exception handling|try catch|stack trace|stacktrace|traceback|segfault|null pointer|nullpointerexception|syntax error|build error|debug my|debugging|debugger|refactor|refactoring|unit tests|pytest|jest|junit|mocking|git merge|git commit|merge request|vscode|vs code|visual studio|intellij|vim|emacs|ide|frontend|flexbox|jquery|webpack|write a program|write a class|programming|coding|code challenge|hackerrank|codewars|fizzbuzz|fibonacci|palindrome|reverse a string|binary search|hash map|hashmap|array|arrays|string manipulation|regexes|regexp|vba|excel formula|my code|code doesnt work|homework code",
    ),
    (
        "operation",
        "restart|reboot|resize|scale|scale up|scale out|scale down|deploy|redeploy|deployment|roll back|rollback|roll out|provision|spin up|spin down|shut down|shutdown|power on|power off|snapshot|backup|back up|restore|migrate|migration|clone|rename|add nodes|node pool|build agents|upgrade the cluster|allocate|jira|servicenow|book|schedule|meeting|room|calendar invite|on call|oncall|rotation|restarting|restarted|rebooting|rebooted|resizing|resized|scaling|scaled|autoscale|autoscaling|deploying|deployed|deploys|deployments|rolling back|rolled back|rolling out|rolled out|rollout|provisioning|provisioned|spin it up|spinning up|spun up|create a vm|create vm|new vm|create a cluster|new cluster|create a storage account|shut it down|shutting down|power cycle|start the vm|stop the vm|start vm|stop vm|deallocate|deallocated|snapshots|backups|backing up|restoring|restored|migrating|migrated|cloning|renaming|failover|fail over|failback|dr drill|disaster recovery|add capacity|add more nodes|node count|vm size|upgrade kubernetes|upgrade aks|k8s upgrade|cordon|drain the node|create a ticket|open a ticket|raise a ticket|file a ticket|log a ticket|service now|snow ticket|change request|pager|pagerduty|opsgenie|dns record|cname|renew cert|renew the cert|increase the size|bigger vm|more cpu|more memory|more ram|add disk|extend disk|turn on the vm|start the cluster|stop the cluster|kick off a build|trigger a pipeline|rerun the pipeline|run the pipeline",
    ),
    (
        "uncovered",
        "compliance|compliant|regulatory|regulation|regulations|soc 2|soc2|soc|pci|pci dss|iso|iso 27001|hipaa|gdpr|nist|cis|cis benchmark|fedramp|controls|audit evidence|attestation|alert|alerts|incident|incidents|sentinel|siem|kql|splunk|log analytics|sign in|sign ins|signin|signins|login|logins|logged in|log in|audit log|audit logs|access logs|who accessed|activity log|cost|costs|price|pricing|priced|paying|license|licenses|licensing|billing|invoice|spend|threat intel|threat intelligence|apt|ransomware group|threat actors|pentest|pen test|penetration test|red team|bug bounty|code review|review my code|review my|look over my|pull request review|vendor|vendors|comparison|crowdstrike|wiz|prisma|orca|lacework|palo alto|phishing training|awareness training|security awareness|cve news|latest news|in the news|zero day news|headline|soc1|type ii|pcidss|iso27001|27001|hitrust|ccpa|sox|sarbanes|glba|ferpa|nis2|nis 2|dora|cmmc|800 53|csf|itar|cjis|essential eight|cyber essentials|evidence|control mapping|certification|certifications|accreditation|alerting|alerted|detections|detection rules|analytics rules|threat hunting|hunting queries|kusto|suspicious|anomalies|anomaly|anomalous|ioc|iocs|indicators of compromise|sign on|sign ons|signon|sso logs|entra logs|aad logs|audit trail|who signed in|impossible travel|risky users|user activity|access history|who changed|who modified|who deleted|who created|change history|activity logs|cloudtrail|cloud trail|flow logs|how much does|how much will|costing|expensive|cheaper|cheap|bills|invoices|charges|charged|finops|savings|save money|reserved instances|spending|licence|licences|licensed|threat landscape|threat feed|threat feeds|threat report|threat reports|apt29|apt28|lazarus|fancy bear|cozy bear|nation state|ransomware gangs|lockbit|scattered spider|mitre|ttps|ttp|dark web|darkweb|recent breaches|breach news|pentesting|pen testing|penetration testing|pentester|red teaming|purple team|tabletop|sast|dast|review this code|look at my code|check my code|bug bounties|sentinelone|zscaler|okta|datadog|snyk|tenable|qualys|rapid7|nessus|aqua|sysdig|trend micro|sophos|fortinet|security command center|security hub|guardduty|compare tools|security training|phishing simulation|phishing test|knowbe4|recent hacks|headlines|news today|latest breach|access review|access reviews|cyber insurance|insider risk|dlp|data loss prevention|email security|spam filter",
    ),
    // What secbot must refuse.
    (
        "secret_object",
        "secret|secrets|password|passwords|passwd|token|tokens|api key|api keys|access key|access keys|account key|account keys|storage key|storage keys|keys|key values|connection string|connection strings|conn string|credential|credentials|creds|sas|sas token|sas url|private key|private keys|certificate|cert|pfx|client secret|env vars|environment variables|what s stored|whats stored|stored in|contents of|values|pwd|pw|passphrase|passphrases|passcode|login details|jwt|jwts|apikey|apikeys|shared key|shared access signature|primary key|secondary key|master key|connstring|connection info|ssh key|id rsa|pem|keyfile|key file|certs|certificates|signing key|encryption key|kubeconfig|json key|hmac key|env file|dotenv|environment variable|env var|plaintext|plain text|cleartext|clear text|pwds|passwds|passwrd|pword|pass phrase|keystore|keystores|truststore|signed url|presigned|session cookie|auth header|authorization header|bearer|otp|totp seed|mfa seed|recovery codes|backup codes|seed phrase|rsa key|gpg key|pgp key|keypair|key pair|function key|host key|admin key|subscription key|instrumentation key|cosmos key|redis key|deploy key|deployment key|publish profile|publishing profile|kube config",
    ),
    (
        "reveal",
        "print|dump|reveal|read out|read me|paste|output|echo|cat|decrypt|decode|leak|expose|retrieve|extract|printout|printing|dumps|dumped|dumping|reveals|revealing|revealed|show the value|show me the value|show the actual|show the full|unmask|unmasked|unredact|unredacted|un redact|without redaction|no redaction|read it out|read back|spell out|spit out|copy out|decrypted|decrypting|decoded|decoding|leaking|leaks|retrieving|retrieved|extracting|extracted|pull out|fetch the value|get the value|get me the value|whats the value|what is the value|actual value|raw value|full value|full key|full secret|entire key|type out|write out|disclose|disclosing|divulge|spill|in the clear|unhide|the values of|read the secret|show me the key|show the key|show the secret|show the password|show me the password|show me the secret",
    ),
    (
        "outside",
        "gmail|hotmail|yahoo|outlook com|personal|personal email|my personal|home|external|outside the company|outside company|third party|vendor|vendors|partner|partners|contractor|consultant|pastebin|paste bin|gist|github|public repo|twitter|x com|reddit|linkedin|facebook|whatsapp|telegram|signal|sms|text me|dropbox|google drive|wetransfer|public channel|public link|shared channel|discord server|competitor|journalist|press|private email|private account|my phone|my cell|text it to|icloud|protonmail|proton mail|outlook account|aol|mega|file sharing|filesharing|anonfiles|ghostbin|hastebin|privatebin|public repository|public website|blog|forum|slack connect|outsiders|someone outside|outside the org|outside the organization|outside the organisation|outside our company|third parties|3rd party|3rd parties|freelancer|freelancers|agency|reseller|supplier|suppliers|msp|reporter|reporters|media|news outlet|blogger|competitors|rival|rivals|my friend|a friend|instagram|tiktok|mastodon|bluesky|usb|thumb drive|flash drive|byod|google docs|google doc|google sheets|notion|trello|chatgpt|my private|my own email",
    ),
    (
        "send",
        "send|sent|email|e mail|mail|forward|post|paste|share|upload|publish|tweet|dm|export|sync to|push to|leak|beam|sending|sends|emailed|emailing|mailed|forwarded|forwarding|fwd|fw|posted|posting|sharing|uploaded|uploading|publishing|published|tweeted|message me|message it|text it|texted|exported|exporting|transmit|copy to|copy it to|save to|save it to|drop it in|drop into|put it in|attachment|cc me|bcc|pipe to|pipe it|mirror to|replicate to|ship to|deliver to|shoot it over|shoot me|fire it over|whatsapp it|slack it|teams it",
    ),
    (
        "destroy",
        "delete|deleet|delet|purge|wipe|wipe out|destroy|nuke|erase|terminate|tear down|teardown|trash|get rid of all|blow away|deletes|deleting|purging|purged|wiping|wiped|destroying|destroyed|nuking|nuked|erasing|erased|terminating|tear it down|tearing down|trashing|trashed|remove all|remove everything|rm rf|drop table|drop database|drop the database|truncate|obliterate|annihilate|demolish|scrap|zap|kill all|kill everything|burn it down|burn it all|scorched earth|blow it away|blow them away|get rid of everything|deprovision|remove permanently|remove them all|bin it|bin them",
    ),
    (
        "disable",
        "disable|disabled|turn off|switch off|shut off|deactivate|uninstall|suspend|bypass|circumvent|evade|evasion|avoid detection|undetected|without being detected|without detection|stealth|stealthy|hide from|disables|disabling|turning off|turned off|turn it off|switch it off|switching off|switched off|shut it off|shutting off|deactivated|deactivating|uninstalled|uninstalling|suspended|suspending|bypassed|bypassing|circumvented|circumventing|evading|evaded|slip past|sneak past|get around|get past|defeat|kill switch|kill the agent|stop the agent|stop logging|stop monitoring|pause logging|pause monitoring|pause defender|remove defender|remove the agent|unenroll|offboard|offboarding|blind|blinding|under the radar|fly under|without anyone noticing|without being noticed|unnoticed|no trace|without a trace|cover tracks|cover my tracks|clear logs|clear the logs|delete logs|wipe logs|tamper|tampering|stealthily|covertly|covert|downgrade|loosen|relax|weaken|neuter|cripple|turn down|dial down|opt out of|get rid of the firewall|remove mfa|remove the firewall|drop the firewall|kill defender",
    ),
    (
        "protection",
        "defender|mfa|multi factor|2fa|logging|logs|audit logging|diagnostic settings|firewall|firewalls|monitoring|antivirus|av|edr|xdr|endpoint protection|encryption|waf|protection|protections|guardrails|conditional access|sentinel|mdc|mde|asc|security center|multifactor|two factor|2 factor|2sv|two step|authenticator|diagnostics|diagnostic setting|nsg|nsgs|security group|security groups|anti malware|antimalware|anti virus|endpoint detection|tls|https|ssl|cmk|customer managed keys|jit|just in time|soft delete|immutability|vulnerability assessment|vulnerability scanner|agent|agents|mdvm|ama|mma|security policies|azure policy|defenses|defences|security features|security settings|ca policies|ca policy|intrusion detection|intrusion prevention|secure boot|trusted launch|tpm|sensors|sensor",
    ),
    (
        "bulk",
        "all|every|everything|entire|whole|each|all of them|across the board|en masse|in bulk|bulk|everyone|everybody|wholesale|blanket|mass|at once|every single|one go|in one shot|at one time|the lot|entirety|fleet|fleetwide|tenant wide|subscription wide|estate wide|across the estate|across subscriptions|en bloc|globally|universally|batch|batched|sweeping|everywhere|the rest|rest of them|one fell swoop|full list|complete list|full set|across the tenant|across tenants|across the org|across accounts|multi subscription|at scale|massively|indiscriminately",
    ),
    (
        "appearance",
        "dashboard|score|scores|look good|look better|looks green|look green|green|audit|auditor|auditors|report|board|exec|execs|metrics|numbers|kpi|optics|before the audit|before the board|so it looks|make it look|look clean|clean|dashboards|looks good|looking good|look nice|looks nice|look healthy|look secure|look compliant|look fine|looks fine|look ok|look okay|appear compliant|greener|no red|audits|audited|auditing|examiner|examiners|regulator|regulators|inspection|leadership review|qbr|quarterly review|investors|customers see|perception|look bad|looks bad|look worse|embarrassing|embarrassed|save face|impress|for show|on paper|presentable|prettier|cosmetic|cosmetically|kpis|okr|okrs|spotless|zero findings|no findings",
    ),
    (
        "deceive",
        "fake|faked|doctor|doctored|falsify|falsified|fudge|massage|cook the|round down|round the|hide|conceal|cover up|sweep|lie|pretend|misrepresent|make it look|make them look|make us look|look like|as if|so it looks|appear|bury|omit|leave out|remove from the report|fakes|faking|fabricate|fabricated|fabricating|forge|forged|forging|doctoring|falsifying|fudged|fudging|massaged|massaging|cooking the books|juke the stats|game the|gaming the|cheat|cheating|cheats|rig|rigged|manipulate|manipulated|manipulating|alter the|edit the report|edit the numbers|change the numbers|tweak the numbers|tweak the report|adjust the numbers|hidden from|keep it from|keep quiet|hush|secretly|concealed|concealing|cover it up|covered up|covering up|under the rug|under the carpet|whitewash|lying|lied|mislead|misleading|misled|deceive|deceptive|deception|dishonest|pretending|pretended|misrepresenting|make it seem|so it appears|pass the audit|fool|trick the|dupe|bluff|inflate|inflated|inflating|understate|underreport|under report|downplay|play down|gloss over|leave off|drop from the report|remove from the dashboard|exclude from the report|keep off the report|off the books|off the record|dont mention|not mention|without mentioning|airbrush|window dressing|smoke and mirrors",
    ),
    (
        "attack",
        "exploit|exploiting|exploitation|hack|hacking|crack|cracking|brute force|bruteforce|brute|wordlist|password spray|spray|pwn|break into|break in|breaking into|gain access|reverse shell|shellcode|payload|payloads|malware|ransomware|virus|trojan|implant|c2|backdoor|keylogger|rootkit|botnet|ddos them|phish|phishing|spear phishing|spearphishing|credential harvester|harvest credentials|fraud email|ceo fraud|pretext|vishing|smishing|social engineering|impersonate|privilege escalation|escalate privileges|domain admin|mimikatz|pass the hash|dump hashes|hashcat|john the ripper|metasploit|cobalt strike|lateral movement into|own the box|weaponize|poc exploit|proof of concept exploit|zero day exploit|exfil|exfiltrate|cracked|bruteforcing|dictionary attack|credential stuffing|cred stuffing|spraying|rainbow table|rainbow tables|pwning|breaking in|gain entry|get shell|get a shell|pop a shell|bind shell|rev shell|revshell|netcat|msfvenom|meterpreter|dropper|worm|spyware|stealer|infostealer|ransom note|dos attack|denial of service|syn flood|booter|stresser|fake login page|clone the login|evilginx|typosquat|typosquatting|lookalike domain|spoof|impersonating|pretexting|privesc|priv esc|escalate to admin|escalate my privileges|elevate privileges|elevate my privileges|get root|golden ticket|silver ticket|kerberoast|kerberoasting|asreproast|dcsync|bloodhound|sharphound|ntlm relay|relay attack|hydra|sqlmap|rop chain|nmap|masscan|scan their|recon|reconnaissance|osint on|dox|doxx|doxxing|take down their|arp spoofing|evil twin|keylogging|weaponized|weaponizing|weaponise|weaponised|poc for|attack their|attack them|break their|get into their|launch a ddos|ddos attack|ddos their",
    ),
    (
        "injection",
        "ignore previous|ignore all|ignore your|ignore the rules|previous instructions|prior instructions|your instructions|system prompt|your rules|safety rules|ignore|disregard|forget|override|system prompt|developer mode|dev mode|god mode|debug mode|jailbreak|jailbroken|dan|do anything now|pretend|role play|roleplay|act as|you are now|no limits|no restrictions|unrestricted|unfiltered|without restrictions|guardrails|new rule|new rules|new policy|internal configuration|configuration file|config file|hidden instructions|initial instructions|your prompt|disregarding|overriding|overridden|forgetting|system message|system instructions|system prompts|sys prompt|sysprompt|base prompt|original instructions|original prompt|initial prompt|hidden prompt|secret instructions|instruction set|preprompt|pre prompt|meta prompt|your guidelines|your programming|your training|your directives|prime directive|your configuration|your config|repeat the above|verbatim|word for word|above text|text above|everything above|start of this conversation|beginning of the conversation|sudo mode|admin mode|unlocked|jailbreaking|jail break|evil mode|opposite mode|in a story|fictional|imagine you are|imagine youre|youre now|from now on|henceforth|persona|in character|behave as|behave like|act like|respond as|answer as|speak as|obey|no rules|no filter|no filters|without filters|uncensored|turn off your|disable your|remove your|restrictions lifted|limits removed|prompt injection|end of instructions|new instructions|updated instructions|instructions updated|previous prompt|above instructions|earlier instructions|break character|out of character|not bound|no longer bound|ethics off|safety off|filters off",
    ),
    (
        "authority",
        "i m the|im the|i am the|i m an|i am an|admin|administrator|global admin|tenant owner|owner of|ciso|cto|ceo|vp|from the security team|security team said|trust me|authorized|authorised|approved|approval from|on behalf of|boss said|manager said|verified|clearance|sudo|root|im an|as the owner|administrators|subscription owner|sub owner|superuser|super user|head of security|head of it|security lead|security director|cso|founder|cofounder|chairman|board member|legal team|general counsel|law enforcement|police|fbi|microsoft support|from microsoft|your developer|your developers|your creator|your creators|your maker|the developers|i built you|i made you|i created you|i wrote you|believe me|i promise|i swear|take my word|preapproved|signed off|green light|greenlit|sanctioned|gave permission|gave me permission|i have permission|im allowed|i am allowed|my boss|my manager|the boss|boss wants|manager wants|leadership said|leadership wants|orders from|direct order|by order of|mandated|mandate|privileged user|vip|im in charge|i outrank|owner here",
    ),
    (
        "other_tenant",
        "tenant|tenants|another company|other company|other org|other organization|another org|competitor|customer s|client s|their environment|not ours|someone else|fabrikam|partner tenant|other subscription we don t|outside our|tenantid|someone elses|somebody elses|another customer|other customer|other customers|different customer|another client|other client|other clients|different company|other companies|another business|other businesses|partner org|partner organization|different org|different organization|another organisation|other organisation|previous employer|former employer|my old company|customer environment|client environment|competitors|rival company|other subscription we dont",
    ),
    (
        "mass",
        "@everyone|@channel|@here|everyone|everybody|whole channel|entire channel|all users|all members|whole company|entire company|all hands|blast|broadcast|mass|whole team|entire team|all staff|all employees|every employee|all engineers|whole org|entire org|whole organization|entire organization|whole organisation|entire organisation|company wide|companywide|org wide|organization wide|organisation wide|blasting|spam|spamming|broadcasting|broadcasted|announce|announcement|announcements|all channels|every channel|each channel|all chats|distribution list|mailing list|every user|every member|all people|at here|at channel|whole workspace|entire workspace|all teams|all of slack|all of teams|whole department|entire department",
    ),
];

/// The concepts of cloud security posture and of secbot itself, as opposed to chatter,
/// unrelated topics and what secbot refuses.
pub(crate) fn is_topical(concept: &str) -> bool {
    matches!(
        concept,
        "list"
            | "findings"
            | "ranking"
            | "count"
            | "change"
            | "overview"
            | "score"
            | "explain"
            | "doubt"
            | "breakage"
            | "fix"
            | "how"
            | "script"
            | "exempt"
            | "delegate"
            | "due"
            | "ownership"
            | "progress"
            | "attack_path"
            | "compromise"
            | "exposure"
            | "sensitive"
            | "bot"
            | "capability"
            | "usage"
            | "data_source"
            | "feedback"
            | "limits"
            | "chat_tool"
            | "permission"
    )
}

/// Every word the concept phrases use, so the typo corrector leaves them alone.
pub(crate) fn words() -> impl Iterator<Item = &'static str> {
    CONCEPTS.iter().flat_map(|(_, list)| list.split(['|', ' '])).filter(|w| !w.is_empty())
}

/// The concepts and where each phrase starts.
struct Table {
    names: Vec<&'static str>,
    /// First word → (the phrase's words, concept index), longest phrases first.
    phrases: FxHashMap<&'static str, Vec<(Vec<&'static str>, usize)>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut phrases: FxHashMap<&'static str, Vec<(Vec<&'static str>, usize)>> = FxHashMap::default();
        for (i, (_, list)) in CONCEPTS.iter().enumerate() {
            for phrase in list.split('|') {
                let words: Vec<&'static str> = phrase.split(' ').filter(|w| !w.is_empty()).collect();
                if let Some(first) = words.first() {
                    phrases.entry(first).or_default().push((words, i));
                }
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|b| std::cmp::Reverse(b.0.len()));
        }
        Table { names: CONCEPTS.iter().map(|(n, _)| *n).collect(), phrases }
    })
}

/// The concepts a prompt's words touch, each once, in table order.
pub(crate) fn concepts(words: &[&str]) -> Vec<&'static str> {
    let table = table();
    let mut hit = vec![false; table.names.len()];
    for start in 0..words.len() {
        let Some(candidates) = table.phrases.get(words[start]) else { continue };
        for (phrase, concept) in candidates {
            if words.len() - start >= phrase.len() && words[start..start + phrase.len()] == phrase[..] {
                hit[*concept] = true;
            }
        }
    }
    table.names.iter().zip(hit).filter(|(_, h)| *h).map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_of_several_words_and_single_words_both_signal_their_concept() {
        let found = concepts(&["how", "do", "i", "brute", "force", "the", "jump", "box"]);
        assert!(found.contains(&"attack"), "{found:?}");
        assert!(found.contains(&"how"), "{found:?}");
        let found = concepts(&["forward", "this", "to", "my", "personal", "gmail"]);
        assert!(found.contains(&"send") && found.contains(&"outside"), "{found:?}");
        assert!(concepts(&["zebra"]).is_empty());
    }
}
