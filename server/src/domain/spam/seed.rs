//! Size: data, not code: the built-in training comments, one tuple of (text, author, website, spam) each.
//! Written for riposte (no real data): 42 spam and 42 ham blog comments, in English and German.

use super::SeedComment;

pub(super) const SEED: &[SeedComment] = &[
    // --- spam, English ---
    (
        "Great post! I made $500 a day from home, visit my site https://bit.ly/3xKq9Zt",
        Some("Jessica Money"),
        Some("http://easy-cash-daily.xyz"),
        true,
    ),
    (
        "Best online casino bonus 2024, 200 free spins no deposit: https://lucky-spin-casino.top/bonus",
        Some("Casino Bonus"),
        Some("https://lucky-spin-casino.top"),
        true,
    ),
    (
        "Buy cheap viagra online without prescription, fast shipping. cheap-meds-rx.shop",
        Some("Cheap Pills"),
        Some("cheap-meds-rx.shop"),
        true,
    ),
    (
        "Nice article. We provide high quality backlinks and SEO services to rank your site #1 on Google. Contact \
            us: seo-rankboost.net",
        Some("SEO Expert"),
        None,
        true,
    ),
    (
        "Invest in bitcoin now and double your crypto in 7 days! Guaranteed profit, join here \
            https://tinyurl.com/crypto-x2",
        Some("Crypto Trader"),
        None,
        true,
    ),
    (
        "Need a loan fast? Payday loans approved in 10 minutes, no credit check. https://quickloan-now.info/apply",
        Some("Fast Loans"),
        Some("https://quickloan-now.info"),
        true,
    ),
    (
        "Thanks for sharing, very informative. Please visit my website for more information: \
            http://best-essay-writers.click",
        Some("Essay Writer"),
        Some("http://best-essay-writers.click"),
        true,
    ),
    (
        "I like your blog so much! Check out my site about weight loss pills [here](https://slim-fast-keto.xyz/order)",
        Some("Keto Diet"),
        None,
        true,
    ),
    (
        "Play slots and poker at the best casino online, huge jackpot waiting for you: https://bit.ly/jackpot777",
        Some("Lucky Slots"),
        None,
        true,
    ),
    (
        "Get 10,000 real Instagram followers cheap! Boost your social media now at followerboost.top",
        Some("Social Growth"),
        Some("https://followerboost.top"),
        true,
    ),
    (
        "Awesome post, keep it up. Visit my page for free crypto airdrop https://t.co/airdrop99 and \
            https://bit.ly/free-btc",
        Some("Airdrop King"),
        None,
        true,
    ),
    (
        "Wow this is really helpful. Click here to earn money online from home https://work-from-home-cash.site",
        Some("Earn Online"),
        Some("https://work-from-home-cash.site"),
        true,
    ),
    (
        "Cheap replica watches, Rolex and Omega, best prices online. Buy now: replica-luxury-watches.shop",
        Some("Replica Watches"),
        None,
        true,
    ),
    (
        "Your article is great! We offer cheap SEO backlinks, guest posts and traffic for your website. Visit \
            https://backlink-factory.online",
        Some("Link Builder"),
        Some("https://backlink-factory.online"),
        true,
    ),
    (
        "Hot singles in your area want to meet you tonight! Free registration https://date-hot-now.xyz",
        Some("Sexy Dating"),
        None,
        true,
    ),
    (
        "Forex trading signals with 95% win rate. Join our VIP group and make money fast: \
            https://tinyurl.com/forex-vip",
        Some("Forex Pro"),
        None,
        true,
    ),
    (
        "Very nice post. I found a lot of useful information here. Visit my site https://bit.ly/best-deals-24 for \
            best deals",
        Some("Best Deals"),
        Some("http://www.best-deals-online.top"),
        true,
    ),
    (
        "Buy tramadol, xanax and other pills online without prescription. Discreet delivery! http://pharma-direct.top",
        Some("Online Pharmacy"),
        Some("http://pharma-direct.top"),
        true,
    ),
    (
        "Great content! Bitcoin casino with instant payout and crypto bonus, register here: \
            https://btc-casino-bonus.xyz",
        Some("Crypto Casino"),
        None,
        true,
    ),
    (
        "Get a personal loan up to $50,000 with bad credit, instant approval, apply online \
            https://loans-easy-approval.info",
        Some("Loan Offer"),
        Some("https://loans-easy-approval.info"),
        true,
    ),
    (
        "Thank you for this post. Check my website [best cheap essay writing \
            service](http://essay-cheap-help.click) for students",
        Some("Student Help"),
        None,
        true,
    ),
    (
        "Make $3000 per week working from home, no experience needed! Click here: https://bit.ly/home-job-cash",
        Some("Home Jobs"),
        None,
        true,
    ),
    (
        "Hello admin, nice blog. I wrote a similar post on my site, please check it: \
            http://my-seo-blog-network.online/post?id=2231",
        Some("Blog Network"),
        Some("http://my-seo-blog-network.online"),
        true,
    ),
    (
        "Limited offer!!! Cheap CBD oil and gummies, 50% off today only. Order now https://bit.ly/cbd-sale-50",
        Some("CBD Shop"),
        None,
        true,
    ),
    // --- spam, German ---
    (
        "Toller Beitrag! Schnell Kredit ohne Schufa beantragen, Sofortauszahlung: https://kredit-sofort24.xyz",
        Some("Kredit Sofort"),
        Some("https://kredit-sofort24.xyz"),
        true,
    ),
    (
        "Online Casino mit 500€ Bonus und 100 Freispielen ohne Einzahlung. Jetzt spielen: \
            https://bit.ly/casino-de-bonus",
        Some("Casino Bonus DE"),
        None,
        true,
    ),
    (
        "Potenzmittel günstig kaufen ohne Rezept, diskreter Versand. Viagra und Cialis rezeptfrei: potenz-apotheke.top",
        Some("Apotheke Online"),
        Some("potenz-apotheke.top"),
        true,
    ),
    (
        "Sehr informativer Artikel. Wir bieten professionelle SEO Optimierung und hochwertige Backlinks für Ihre \
            Webseite: seo-agentur-ranking.net",
        Some("SEO Agentur"),
        Some("https://seo-agentur-ranking.net"),
        true,
    ),
    (
        "Mit Bitcoin reich werden! Verdoppeln Sie Ihr Geld in einer Woche, garantierter Gewinn: \
            https://tinyurl.com/btc-gewinn",
        Some("Krypto Experte"),
        None,
        true,
    ),
    (
        "Danke für den Beitrag! Besuchen Sie meine Seite für mehr Informationen über Geld verdienen im Internet \
            https://geld-online-verdienen.site",
        Some("Geld Verdienen"),
        Some("https://geld-online-verdienen.site"),
        true,
    ),
    (
        "Abnehmen ohne Diät! Mit unseren Keto Kapseln 10 kg in 2 Wochen verlieren. Jetzt bestellen: \
            https://keto-schlank.shop",
        Some("Schlank Mit Keto"),
        None,
        true,
    ),
    (
        "Sofortkredit bis 50.000 Euro, auch ohne Schufa und bei schlechter Bonität. Online beantragen: \
            kredit-ohne-schufa.info",
        Some("Kredit Ohne Schufa"),
        Some("kredit-ohne-schufa.info"),
        true,
    ),
    (
        "Super Seite! Spielen Sie Slots und Roulette im besten Online Casino Deutschlands: \
            https://bit.ly/spiel-casino-de",
        Some("Slots Deutschland"),
        None,
        true,
    ),
    (
        "Toller Artikel, vielen Dank. Besuchen Sie auch meine Webseite mit günstigen Angeboten: \
            https://schnaeppchen-deals.top",
        Some("Schnäppchen"),
        Some("https://schnaeppchen-deals.top"),
        true,
    ),
    (
        "Verdienen Sie 5000 Euro im Monat von zu Hause aus! Keine Erfahrung nötig, jetzt anmelden: \
            https://bit.ly/heimarbeit-geld",
        Some("Heimarbeit"),
        None,
        true,
    ),
    (
        "Krypto Trading Bot mit 300% Rendite. Investieren Sie jetzt in Bitcoin und Ethereum: \
            https://krypto-profit-bot.xyz",
        Some("Crypto Bot"),
        Some("https://krypto-profit-bot.xyz"),
        true,
    ),
    (
        "Echte Instagram Follower und Likes günstig kaufen! Mehr Reichweite für Ihr Profil: follower-kaufen.shop",
        Some("Follower Kaufen"),
        None,
        true,
    ),
    (
        "Guter Beitrag. Wir verkaufen günstige Markenuhren Replika, beste Qualität zum kleinen Preis: \
            https://uhren-replika.top",
        Some("Uhren Shop"),
        Some("https://uhren-replika.top"),
        true,
    ),
    (
        "Singles aus deiner Stadt warten auf dich! Kostenlos anmelden und heute noch treffen: https://flirt-sofort.xyz",
        Some("Flirt Sofort"),
        None,
        true,
    ),
    (
        "Sehr guter Artikel! Für günstige Kredite und Darlehen besuchen Sie meine Seite \
            https://tinyurl.com/kredit-guenstig",
        Some("Finanz Berater"),
        None,
        true,
    ),
    (
        "Hallo, schöner Blog! Ich habe auch eine Seite zum Thema, schau mal vorbei: https://bit.ly/mein-tipp-24",
        Some("Tipp Seite"),
        None,
        true,
    ),
    (
        "Online Sportwetten mit 100€ Willkommensbonus, beste Quoten garantiert! Jetzt registrieren: \
            https://wetten-bonus.top",
        Some("Wetten Bonus"),
        Some("https://wetten-bonus.top"),
        true,
    ),
    // --- ham, English ---
    (
        "I tried the lentil soup last night and added a bit more cumin than you suggested. My kids loved it, thanks \
            for the recipe!",
        Some("Hannah"),
        None,
        false,
    ),
    (
        "Does the dough need to rest overnight, or is two hours in the fridge enough? Mine came out a bit dense.",
        Some("Tom B."),
        None,
        false,
    ),
    (
        "Great ride report. I did the same climb last summer on a gravel bike and the last two kilometers were brutal.",
        Some("Pieter"),
        Some("https://www.pieterfietst.nl"),
        false,
    ),
    (
        "Which tire pressure do you run on the 32mm tires? I keep getting pinch flats on the cobbles.",
        Some("Marco"),
        None,
        false,
    ),
    (
        "Thanks for the write-up on async Rust. The part about pinning finally clicked for me. Why not use a thread \
            pool for the worker?",
        Some("dev_anna"),
        None,
        false,
    ),
    (
        "I think there is a small bug in the second code example, the loop never terminates when the input is empty.",
        Some("Lukas"),
        None,
        false,
    ),
    (
        "We had the same problem with our tomatoes this year, the leaves turned yellow from the bottom up. Turned \
            out it was too much water.",
        Some("Margaret"),
        None,
        false,
    ),
    (
        "When do you plant garlic in your region? Here in the north we usually put it in the ground in October.",
        Some("Ellen"),
        None,
        false,
    ),
    (
        "The official docs explain this too: https://doc.rust-lang.org/book/ch16-00-concurrency.html but your \
            explanation is much easier to follow.",
        Some("Sam"),
        None,
        false,
    ),
    (
        "I baked this bread twice now. The second time I used half whole wheat flour and it was even better.",
        Some("Julia"),
        None,
        false,
    ),
    (
        "Interesting comparison, but I disagree about the hydraulic brakes. For commuting in the rain they made a \
            huge difference for me.",
        Some("Chris"),
        None,
        false,
    ),
    (
        "Could you share the config file you used for the benchmark? I would like to reproduce the numbers on my \
            machine.",
        Some("Priya"),
        None,
        false,
    ),
    (
        "My raspberries did not fruit at all this year. Did you prune yours in autumn or in spring?",
        Some("Gerald"),
        None,
        false,
    ),
    (
        "Thank you for writing this, I was stuck on the same error with the borrow checker for hours yesterday.",
        Some("Mei"),
        None,
        false,
    ),
    (
        "Small correction: the bridge you mention in the third paragraph was closed for repairs in May, we had to \
            take the detour along the river.",
        Some("Owen"),
        None,
        false,
    ),
    (
        "I made the curry with chickpeas instead of chicken and it worked really well. Next time I will add spinach.",
        Some("Ravi"),
        None,
        false,
    ),
    (
        "Here is the video I mentioned about truing a wheel at home: https://www.youtube.com/watch?v=abc123 it \
            helped me a lot.",
        Some("Ben"),
        None,
        false,
    ),
    (
        "Nice post. Did you measure the memory usage before and after the change? I would be curious how much it \
            saved.",
        Some("Olga"),
        None,
        false,
    ),
    (
        "The compost tip is gold. We started a worm bin in the basement and the kids are fascinated by it.",
        Some("Kate"),
        None,
        false,
    ),
    (
        "I respectfully disagree with the conclusion. In my experience the simpler design is easier to maintain in \
            the long run.",
        Some("Daniel"),
        Some("https://daniel-writes-code.dev"),
        false,
    ),
    (
        "How long did the sourdough starter take to become active? Mine is on day five and still smells like glue.",
        Some("Nina"),
        None,
        false,
    ),
    (
        "Has anyone tried this route in winter? I wonder if the pass is open after the first snow.",
        Some("Felix"),
        None,
        false,
    ),
    (
        "Thanks for sharing your setup. I opened an issue about the Windows build: \
            https://github.com/example/tool/issues/42",
        Some("Jonas"),
        None,
        false,
    ),
    (
        "Lovely photos from the market! The pumpkins look amazing. What variety is the green one?",
        Some("Rose"),
        None,
        false,
    ),
    // --- ham, German ---
    (
        "Ich habe das Rezept am Wochenende nachgekocht, allerdings mit etwas weniger Zucker. Hat der ganzen Familie \
            geschmeckt!",
        Some("Sabine"),
        None,
        false,
    ),
    (
        "Kann man den Teig auch am Vortag vorbereiten? Ich möchte die Brötchen gern am Sonntagmorgen frisch backen.",
        Some("Jens K."),
        None,
        false,
    ),
    (
        "Schöner Bericht von der Tour! Wir sind die Strecke im Mai gefahren, der Anstieg nach dem Dorf ist wirklich \
            heftig.",
        Some("Markus"),
        None,
        false,
    ),
    (
        "Welche Übersetzung fährst du am Gravelbike? Ich überlege, vorne auf ein kleineres Kettenblatt zu wechseln.",
        Some("Tobias"),
        None,
        false,
    ),
    (
        "Danke für die Erklärung zu Lifetimes in Rust. Das Beispiel mit dem Iterator hat mir sehr geholfen.",
        Some("Katrin"),
        None,
        false,
    ),
    (
        "Bei mir kompiliert der Code nicht, der Compiler meckert über einen fehlenden Trait. Welche Version \
            verwendest du?",
        Some("Stefan"),
        None,
        false,
    ),
    (
        "Unsere Tomaten sind dieses Jahr leider alle geplatzt. Liegt das am vielen Regen im August?",
        Some("Ute"),
        None,
        false,
    ),
    (
        "Wann schneidest du die Rosen zurück? Meine Oma hat immer gesagt, wenn die Forsythien blühen.",
        Some("Petra"),
        None,
        false,
    ),
    (
        "Viele Grüße aus Freiburg! Ich lese deinen Blog schon seit Jahren und freue mich über jeden neuen Beitrag.",
        Some("Andreas"),
        Some("https://andreas-kocht.de"),
        false,
    ),
    (
        "Kleiner Hinweis: Der Link zur Anleitung funktioniert nicht mehr. Ich glaube, die neue Adresse ist \
            https://de.wikipedia.org/wiki/Sauerteig",
        Some("Claudia"),
        None,
        false,
    ),
    (
        "Das Brot sieht toll aus! Ich backe seit dem Frühjahr mit Dinkelmehl und bin sehr zufrieden.",
        Some("Monika"),
        None,
        false,
    ),
    (
        "Spannender Artikel über die Umstellung auf PostgreSQL. Wie lange hat die Migration der Daten insgesamt \
            gedauert?",
        Some("Florian"),
        None,
        false,
    ),
    (
        "Wir haben im Garten jetzt auch ein Hochbeet und die Zucchini wachsen wie verrückt. Hast du ein gutes \
            Rezept dafür?",
        Some("Birgit"),
        None,
        false,
    ),
    (
        "Ich stimme dir nicht ganz zu, was die Scheibenbremsen angeht. Im Winter sind sie aber wirklich ein Segen.",
        Some("Ralf"),
        None,
        false,
    ),
    (
        "Danke für den tollen Beitrag! Das Video zur Kettenpflege hat mir viel Zeit gespart. Grüße aus Leipzig",
        Some("Anja"),
        None,
        false,
    ),
    (
        "Gibt es die Folien zum Vortrag irgendwo online? Ich würde sie gern meinem Team zeigen.",
        Some("Heike"),
        None,
        false,
    ),
    (
        "Hallo Thomas, ich habe die Soße mit Crème fraîche statt Sahne gemacht, war super. Liebe Grüße, Eva",
        Some("Eva"),
        None,
        false,
    ),
    (
        "Welche Kartoffelsorte nimmst du für den Salat? Festkochend oder mehligkochend?",
        Some("Jürgen"),
        None,
        false,
    ),
];
