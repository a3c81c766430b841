//! What the corpus says: 40 message templates (English and Japanese; ordinary questions,
//! invoices, how-tos, and risky account or payment changes), names and companies.
//!
//! Placeholders: `{order}`, `{invoice}`, `{amount}`, `{amount_jpy}`, `{date}`, `{month}`,
//! `{product}`, `{ticket}`, `{email}`, `{newemail}`, `{iban}`, `{account}`, `{company}`,
//! `{domain}`.

/// One kind of message.
pub(crate) struct Template {
    pub(crate) ja: bool,
    /// Asks for an account or payment change a helpdesk must verify.
    pub(crate) risky: bool,
    /// Carries an invoice, so an attachment is more likely.
    pub(crate) invoice: bool,
    pub(crate) subjects: &'static [&'static str],
    pub(crate) body: &'static str,
}

const fn t(
    ja: bool,
    risky: bool,
    invoice: bool,
    subjects: &'static [&'static str],
    body: &'static str,
) -> Template {
    Template {
        ja,
        risky,
        invoice,
        subjects,
        body,
    }
}

pub(crate) const TEMPLATES: &[Template] = &[
    // ---- English, ordinary -------------------------------------------------------------------
    t(
        false,
        false,
        false,
        &[
            "Where is my order {order}?",
            "Order {order} - no shipping update",
            "Question about order {order}",
        ],
        "I placed order {order} on {date} and the tracking page still says \"label\ncreated\". Could you check whether it has actually shipped? We need the\n{product} for a customer demo next week.\n\nThe order was paid by card and the confirmation email came through fine.",
    ),
    t(
        false,
        false,
        true,
        &[
            "Copy of invoice {invoice}",
            "Invoice {invoice} request",
            "Need a PDF of invoice {invoice}",
        ],
        "Our accounts team needs a copy of invoice {invoice} ({amount}) for the\nquarterly close. Could you send the PDF to this address? The one in the\nportal downloads as an empty file for me.\n\nAlso, is it possible to add our VAT number to future invoices?",
    ),
    t(
        false,
        false,
        false,
        &["Refund for order {order}", "Refund status?"],
        "We returned the {product} from order {order} two weeks ago and the courier\nconfirmed delivery to your warehouse on {date}. The refund of {amount} has\nnot shown up yet. Could you let me know when to expect it?",
    ),
    t(
        false,
        false,
        false,
        &[
            "How do I export reports to CSV?",
            "Exporting the monthly report",
        ],
        "How do I export the monthly usage report as CSV? I can see the chart on\nthe dashboard but the export button only offers PNG.\n\nFrom the help centre article it looks like there should be a \"Download\ndata\" menu, but I can't find it in the new layout.",
    ),
    t(
        false,
        false,
        false,
        &[
            "Adding a colleague to our workspace",
            "How to invite team members",
        ],
        "How can I invite two colleagues to our workspace? They should only be able\nto see the reports, not change any settings. Is there a read-only role, and\ndoes it count towards our seat limit?",
    ),
    t(
        false,
        false,
        true,
        &["Billing address on invoices", "Update billing address"],
        "Please update our billing address for the next invoices to:\n\n{company}\n4 Elm Road, Suite 210\nSpringfield, IL 62704\n\nNothing else on the account needs to change.",
    ),
    t(
        false,
        false,
        false,
        &[
            "Upload fails with error 500",
            "Bug: attachments won't upload",
            "Error when uploading files",
        ],
        "Since this morning every upload larger than about 5 MB fails with \"Error\n500 Internal Server Error\". Smaller files are fine. I tried Chrome and\nFirefox on two different machines.\n\nSteps:\n1. Open any project\n2. Drag a 6 MB PDF into the files panel\n3. The progress bar reaches 100% and then the error appears\n\nCould you have a look?",
    ),
    t(
        false,
        false,
        false,
        &[
            "Feature request: dark mode",
            "Suggestion for the mobile app",
        ],
        "Just a suggestion: a dark mode in the mobile app would be very welcome.\nSeveral people on our team use it late in the evening and the white\nbackground is harsh. Keep up the good work!",
    ),
    t(
        false,
        false,
        false,
        &["Delivery delayed again", "Late delivery of order {order}"],
        "This is the second time this month that a delivery has been late. Order\n{order} was promised for {date} and we still have nothing. Our production\nline depends on these parts. Can someone tell me what is going on?",
    ),
    t(
        false,
        false,
        false,
        &[
            "Cancel subscription at end of term",
            "Not renewing our plan",
        ],
        "We have decided not to renew our subscription. Please make sure it ends at\nthe end of the current term and that no further charges are made. We would\nlike to keep read-only access to our archived projects until then.",
    ),
    t(
        false,
        false,
        true,
        &[
            "Invoice {invoice} from {company}",
            "{company}: invoice {invoice} for {month}",
        ],
        "Please find attached invoice {invoice} for {amount}, covering the\nconsulting work delivered in {month}. Payment terms are 30 days as agreed.\n\nLet me know if you need a purchase order number on it.",
    ),
    t(
        false,
        false,
        false,
        &["Demo request", "Meeting to discuss the enterprise plan"],
        "We are evaluating tools for our support team (about 40 agents) and would\nlike a demo of the enterprise plan. Would Thursday or Friday next week work\nfor a 30-minute call? Any time after 2 pm Eastern is fine.",
    ),
    t(
        false,
        false,
        false,
        &["API rate limits", "Question about API limits"],
        "What is the rate limit for the REST API on the business plan? We sync\nabout 20,000 records every night and started getting HTTP 429 responses\nafter the first few thousand requests. Is there a bulk endpoint we should\nuse instead?",
    ),
    t(
        false,
        false,
        false,
        &[
            "Thanks - all sorted",
            "Re: Ticket {ticket}",
            "Issue resolved, thank you",
        ],
        "Just wanted to say thanks for the quick help with ticket {ticket}.\nEverything works again and the team is back to normal. You can close the\nticket.",
    ),
    t(
        false,
        false,
        false,
        &["Can't log in since the update", "Login problem"],
        "I can't log in since the password change last week. The page just reloads\nafter I enter my details, no error message. Clearing the cache did not\nhelp. Is there a known issue?",
    ),
    t(
        false,
        false,
        false,
        &["Upgrade to annual plan", "Pricing question"],
        "We are on the monthly business plan and would like to switch to annual\nbilling. Is the discount still 15%, and would the remaining days of this\nmonth be credited?\nFrom our side the switch could happen at the start of next month.",
    ),
    t(
        false,
        false,
        false,
        &[
            "Fwd: Delivery note for order {order}",
            "FW: shipment details",
        ],
        "Forwarding the delivery note below, the quantities don't match what we\nordered.\n\n---------- Forwarded message ---------\nFrom Dispatch Team <dispatch@{domain}>\nDate: {date}\nSubject: Delivery note {order}\n\nFrom warehouse B: 12 units {product}, 3 units spare parts.\n>From the packing list: checked by J.\nPlease sign and return.",
    ),
    t(
        false,
        false,
        false,
        &[
            "Data retention question",
            "How long are deleted projects kept?",
        ],
        "Our auditor asks how long deleted projects are kept before they are purged\nfrom your systems, including backups. Is there a document describing the\nretention periods that we could share with them?",
    ),
    // ---- English, risky ----------------------------------------------------------------------
    t(
        false,
        true,
        false,
        &[
            "Password reset please",
            "Locked out - please reset my password",
            "URGENT: password reset",
        ],
        "I'm locked out of my account ({email}) and the reset email never arrives.\nCould you reset the password on my account and send me a temporary\npassword so I can log in? I need to get into the billing portal before the\nboard meeting this afternoon.",
    ),
    t(
        false,
        true,
        false,
        &[
            "Lost my phone - please disable 2FA",
            "2FA problem, need access today",
        ],
        "I lost my phone at the airport and my authenticator app was on it. Can you\nplease turn off 2FA on my account ({email})? I'm travelling until Friday\nand need to approve invoices today.",
    ),
    t(
        false,
        true,
        false,
        &[
            "Change of login email",
            "Please update the email on our account",
        ],
        "Please change the login email on our account from {email} to\n{newemail}. I'm moving to a new mailbox and the old one will be closed at\nthe end of the week, so please make the change today if possible.",
    ),
    t(
        false,
        true,
        true,
        &[
            "Updated bank details",
            "Change of payout account",
            "New banking details for future payments",
        ],
        "Please note that our bank details have changed. Kindly update our payout\naccount and send all future payments to the new account below:\n\nBank: First Harbor Bank\nIBAN: {iban}\nSWIFT: FHBKUS33\n\nPlease confirm once this has been updated. This is time sensitive as our\nold account will be closed this week.",
    ),
    // ---- Japanese, ordinary ------------------------------------------------------------------
    t(
        true,
        false,
        false,
        &[
            "注文番号{order}の配送状況について",
            "【問い合わせ】注文{order}の発送予定",
        ],
        "{date}に注文した{product}（注文番号：{order}）について、\nまだ発送のご連絡をいただいておりません。\n来週の納品に間に合うか確認させていただけますでしょうか。",
    ),
    t(
        true,
        false,
        true,
        &["請求書の再発行のお願い", "請求書{invoice}について"],
        "先日お送りいただいた請求書（{invoice}、{amount_jpy}）ですが、\n宛名が旧社名のままになっておりました。\nお手数ですが、正しい社名「{company}」で再発行していただけますでしょうか。",
    ),
    t(
        true,
        false,
        false,
        &[
            "CSVエクスポートの方法",
            "レポートの出力方法を教えてください",
        ],
        "月次レポートをCSV形式で出力する方法を教えてください。\n管理画面のダッシュボードにはグラフが表示されますが、\nエクスポートボタンではPNGしか選択できないようです。",
    ),
    t(
        true,
        false,
        false,
        &[
            "ファイルのアップロードでエラーが発生します",
            "【不具合】アップロードできません",
        ],
        "本日の午前中から、5MBを超えるファイルをアップロードすると\n「Error 500」と表示されて失敗します。\nChromeとEdgeの両方で同じ現象が発生しております。\n\n再現手順：\n1. 任意のプロジェクトを開く\n2. 6MBのPDFをファイル欄にドラッグする\n3. 進捗が100%になった後にエラーが表示される\n\nご確認のほど、よろしくお願いいたします。",
    ),
    t(
        true,
        false,
        false,
        &["年間プランへの変更について", "料金プランのご相談"],
        "現在、ビジネスプランを月額で利用しておりますが、\n来月から年間契約に切り替えたいと考えております。\n年間契約の割引率と、切り替え時の日割り計算について教えていただけますか。",
    ),
    t(
        true,
        false,
        false,
        &["お見積りのお願い", "{product}の見積書送付のお願い"],
        "{product}を20台導入することを検討しております。\n保守サポート込みのお見積りをいただけますでしょうか。\n社内稟議のため、今月末までにいただけますと大変助かります。",
    ),
    t(
        true,
        false,
        true,
        &["請求書送付のご案内（{invoice}）", "{month}分 請求書の送付"],
        "{month}分の請求書（{invoice}）を添付にてお送りいたします。\nご請求金額は{amount_jpy}（税込）です。\nお支払期日は翌月末となっておりますので、ご確認のほどよろしくお願いいたします。",
    ),
    t(
        true,
        false,
        false,
        &["納品遅延について", "注文{order}がまだ届きません"],
        "注文番号{order}の商品が、予定日の{date}を過ぎても届いておりません。\n生産ラインで使用する部品のため、状況を確認していただけますでしょうか。",
    ),
    t(
        true,
        false,
        false,
        &["対応ありがとうございました", "Re: お問い合わせ番号{ticket}"],
        "先日はお問い合わせ{ticket}の件で迅速にご対応いただき、ありがとうございました。\nおかげさまで問題なく利用できるようになりました。\n本件はクローズしていただいて問題ございません。",
    ),
    t(
        true,
        false,
        false,
        &["契約更新をしない旨のご連絡", "解約手続きについて"],
        "現在の契約期間の満了をもって、サービスの利用を終了したいと考えております。\n解約に必要な手続きと、期間満了までのデータの扱いについて教えてください。",
    ),
    t(
        true,
        false,
        true,
        &["領収書の宛名について", "領収書の発行のお願い"],
        "{month}分のお支払いについて、領収書の発行をお願いできますでしょうか。\n宛名は「{company}」、但し書きは「システム利用料として」でお願いいたします。",
    ),
    t(
        true,
        false,
        false,
        &["ログインできません", "ログイン時にエラーが表示されます"],
        "先週パスワードを変更してから、ログインできなくなりました。\nIDとパスワードを入力すると、画面が再読み込みされるだけでエラーも表示されません。\nキャッシュの削除も試しましたが改善しませんでした。",
    ),
    t(
        true,
        false,
        false,
        &["機能追加のご要望", "ｽﾏﾎアプリについての要望"],
        "スマホアプリにダークモードを追加していただけないでしょうか。\n夜間に作業するメンバーが多く、白い画面がまぶしいという声が出ております。\nご検討いただけますと幸いです。",
    ),
    t(
        true,
        false,
        false,
        &["打ち合わせ日程のご相談", "導入説明会の日程について"],
        "導入に向けた打ち合わせの件、ありがとうございます。\n来週の火曜日または木曜日の午後でしたら、いずれも対応可能です。\nオンラインでの実施を希望いたします。",
    ),
    // ---- Japanese, risky ---------------------------------------------------------------------
    t(
        true,
        true,
        false,
        &[
            "パスワード再設定のお願い",
            "【至急】パスワードをリセットしてください",
        ],
        "管理者アカウント（{email}）のパスワードを忘れてしまい、ログインできません。\nリセットメールも届かないため、パスワードをリセットしていただけますでしょうか。\n本日中に請求処理を行う必要があり、急ぎでお願いいたします。",
    ),
    t(
        true,
        true,
        false,
        &[
            "二段階認証の解除のお願い",
            "スマホ紛失のため二段階認証を解除してください",
        ],
        "出張先でスマホを紛失してしまい、認証アプリが使えなくなりました。\n大変お手数ですが、私のアカウント（{email}）の二段階認証を解除していただけますでしょうか。\n取引先への支払承認が本日中に必要なため、至急対応をお願いします。",
    ),
    t(
        true,
        true,
        false,
        &[
            "登録メールアドレス変更のお願い",
            "ログイン用メールアドレスの変更",
        ],
        "ログイン用のメールアドレスを {email} から {newemail} に変更していただけますでしょうか。\n旧アドレスは今週末で使えなくなるため、本日中のご対応をお願いいたします。",
    ),
    t(
        true,
        true,
        true,
        &["振込先口座変更のお願い", "【重要】振込先変更のご連絡"],
        "弊社の振込先口座が変更となりましたので、今後のお支払いは下記口座にお振込みください。\n\n銀行名：みなと銀行\n支店名：本店営業部\n口座種別：普通\n口座番号：{account}\n口座名義：{company}\n\n変更後の口座情報をご登録いただけましたら、ご一報いただけますと幸いです。",
    ),
];

pub(crate) const EN_FIRST: &[&str] = &[
    "James", "Emma", "Oliver", "Sophia", "Liam", "Ava", "Noah", "Mia", "Ethan", "Chloe", "Lucas",
    "Grace", "Daniel", "Hannah", "Ryan", "Olivia", "Samuel", "Zoe", "Nathan", "Priya",
];
pub(crate) const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Walker",
    "O'Connor", "Patel", "Nguyen", "Garcia", "Miller", "Clarke", "Hughes", "Wright", "Green",
    "Baker", "Kim",
];
/// (kanji, romaji)
pub(crate) const JA_FAMILY: &[(&str, &str)] = &[
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
    ("斎藤", "saito"),
    ("清水", "shimizu"),
    ("森", "mori"),
];
pub(crate) const JA_GIVEN: &[(&str, &str)] = &[
    ("翔太", "shota"),
    ("美咲", "misaki"),
    ("大輔", "daisuke"),
    ("陽子", "yoko"),
    ("健太", "kenta"),
    ("愛", "ai"),
    ("拓也", "takuya"),
    ("由美", "yumi"),
    ("直樹", "naoki"),
    ("彩", "aya"),
    ("誠", "makoto"),
    ("恵", "megumi"),
    ("浩二", "koji"),
    ("真由美", "mayumi"),
    ("亮", "ryo"),
    ("さくら", "sakura"),
    ("剛", "tsuyoshi"),
    ("明美", "akemi"),
    ("隆", "takashi"),
    ("香織", "kaori"),
];
pub(crate) const EN_COMPANIES: &[&str] = &[
    "Northwind Traders",
    "Bluebird Logistics",
    "Harbor & Pine Design",
    "Summit Analytics",
    "Redwood Clinic",
    "Copperleaf Foods",
    "Atlas Freight",
    "Lumen Studio",
    "Maple Street Books",
    "Ironbridge Consulting",
    "Silverline Media",
    "Crescent Labs",
];
pub(crate) const JA_COMPANIES: &[&str] = &[
    "株式会社やまと商事",
    "合同会社さくらデザイン",
    "有限会社みどり物流",
    "株式会社ひかりテック",
    "株式会社青葉フーズ",
    "株式会社北斗システム",
    "株式会社たちばな工業",
    "株式会社東雲コンサルティング",
    "株式会社はるかクリニック",
    "株式会社みなとメディア",
];
pub(crate) const PRODUCTS_EN: &[&str] = &[
    "barcode scanners",
    "label printer",
    "Pro plan licences",
    "docking stations",
    "replacement batteries",
    "conference camera",
];
pub(crate) const PRODUCTS_JA: &[&str] = &[
    "バーコードリーダー",
    "ラベルプリンター",
    "業務用タブレット",
    "ドッキングステーション",
    "交換用バッテリー",
    "会議用カメラ",
];
/// Domain name stems: `shop-017.example`.
pub(crate) const STEMS: &[&str] = &[
    "shop",
    "trading",
    "labs",
    "clinic",
    "design",
    "logistics",
    "foods",
    "studio",
    "tech",
    "consulting",
    "media",
    "books",
    "freight",
    "systems",
    "works",
    "partners",
];
pub(crate) const MAILERS: &[&str] = &[
    "X-Mailer: Microsoft Outlook 16.0",
    "X-Mailer: Apple Mail (2.3826.300.87)",
    "User-Agent: Mozilla Thunderbird",
    "X-Mailer: Becky! ver. 2.81.05",
    "User-Agent: Roundcube Webmail/1.6.9",
];
