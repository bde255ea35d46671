//! Every string a person reads on the pages, one table per language: Chinese (the
//! default) and English (`?lang=en`). The scripts get the same table as JSON.

use serde::Serialize;

/// Declares the message table once: each key with its Chinese and English text.
macro_rules! messages {
    ($($key:ident: $zh:literal, $en:literal;)*) => {
        /// The texts of one language. A key ending in an API value (`status_VALID`) is
        /// the text of that value, so a script finds it as `"status_" + value`.
        #[derive(Debug, Serialize)]
        #[expect(non_snake_case, reason = "keys end in the API's UPPER_CASE values")]
        pub(super) struct Messages {
            $(pub(super) $key: &'static str,)*
        }

        /// 中文 (the default).
        pub(super) const ZH: Messages = Messages { $($key: $zh,)* };
        /// English.
        pub(super) const EN: Messages = Messages { $($key: $en,)* };
    };
}

messages! {
    html_lang: "zh-CN", "en";
    site_name: "直播电商人才培育登记", "Livestreaming Talent Registry";
    site_owner: "市直播电商人才培育行动计划", "The city's livestreaming e-commerce talent programme";
    switch_language: "English", "中文";
    nav_home: "首页", "Home";
    nav_verify: "证书查验", "Check a certificate";
    nav_dashboard: "全市进度", "City dashboard";
    nav_workspace: "机构工作台", "Institution workspace";
    nav_graphiql: "GraphQL 接口", "GraphQL API";
    home_intro: "本系统登记培训、考核与证书，并统计全市人才培育目标的完成情况。", "This service records training, assessments and certificates, and counts the city's progress towards its talent targets.";
    home_verify: "任何人均可凭证书编号和持证人姓名查验证书真伪，无需登录。", "Anyone can check a certificate with its number and the holder's name. No sign-in needed.";
    home_dashboard: "市人社部门查看各项目标进度、每月新增持证人数和各区分布；培训机构查看本机构的份额。", "The city's programme office sees progress against every target, newly certified persons per month and each district's share; institutions see their own share.";
    home_workspace: "培训机构管理课程、上传花名册、录入考核结果并打印证书二维码。", "Training institutions see their courses, upload rosters, record results and print certificate QR codes.";
    home_graphiql: "开发者在浏览器中探索 GraphQL 接口。", "Developers explore the GraphQL API in the browser.";
    verify_title: "证书查验", "Check a certificate";
    verify_intro: "输入证书上的编号和持证人的姓名。为保护个人信息，结果中的姓名只显示姓氏。", "Enter the number printed on the certificate and the holder's full name. To protect personal data, the answer shows the surname only.";
    number_label: "证书编号", "Certificate number";
    number_hint: "印在证书上，例如 H2025-AK9X3-VYFPS", "As printed on the certificate, for example H2025-AK9X3-VYFPS";
    name_label: "持证人姓名", "Holder's full name";
    name_hint: "与证书上的姓名完全一致", "Exactly as on the certificate";
    verify_submit: "查验", "Check";
    verify_name_needed: "请输入持证人姓名以完成查验。", "Enter the holder's full name to check this certificate.";
    error_summary: "请更正以下问题", "There is a problem";
    missing_number: "请输入证书编号", "Enter the certificate number";
    missing_name: "请输入持证人姓名", "Enter the holder's full name";
    not_found: "未找到该证书，或姓名与证书不符。", "No certificate was found, or the name does not match.";
    not_found_hint: "请核对证书编号和姓名（全名）后再试。如仍有疑问，请联系发证机构。", "Check the number and the full name and try again. If in doubt, contact the institution that issued it.";
    rate_limited: "查询过于频繁，请稍后再试。", "Too many checks from your network. Please try again later.";
    rate_limited_hint: "每个网络地址每分钟可查验的次数有限，以防证书编号被批量试探。", "Each network address may check a limited number of certificates per minute, so that numbers cannot be guessed in bulk.";
    internal_error: "服务暂时无法使用，请稍后再试。", "The service is not available right now. Please try again later.";
    result_valid: "证书有效", "This certificate is valid";
    result_expired: "证书已过期", "This certificate has expired";
    result_revoked: "证书已撤销", "This certificate has been revoked";
    f_number: "证书编号", "Certificate number";
    f_holder: "持证人", "Holder";
    f_status: "状态", "Status";
    f_kind: "证书类别", "Kind";
    f_subtype: "工种", "Sub-type";
    f_track: "方向", "Track";
    f_level: "等级", "Level";
    f_issuer: "发证机构", "Issued by";
    f_issued_on: "发证日期", "Issued on";
    f_expires: "有效期至", "Expires";
    no_expiry: "长期有效", "Does not expire";
    status_VALID: "有效", "Valid";
    status_EXPIRED: "已过期", "Expired";
    status_REVOKED: "已撤销", "Revoked";
    track_HOST: "直播主播", "Livestreaming host";
    track_PROFESSIONAL: "直播电商专业人才", "E-commerce professional";
    kind_TRAINING_COMPLETION: "培训结业证书", "Training completion certificate";
    kind_SKILL_LEVEL: "职业技能等级证书", "Vocational skill-level certificate";
    kind_SPECIAL_ABILITY: "专项职业能力证书", "Special vocational-ability certificate";
    subtype_PRODUCT_SELECTOR: "选品员", "Product selector";
    subtype_LIVESTREAM_SELLER: "直播销售员", "Livestream seller";
    subtype_VIDEO_PROMOTER: "视频创推员", "Video promoter";
    subtype_PLATFORM_MANAGER: "平台管理员", "Platform manager";
    level_prefix: "", "Level ";
    level_suffix: " 级", "";
    qr_caption: "扫码打开本查验页", "Scan to open this check";
    js_needed: "此页面需要启用 JavaScript。", "This page needs JavaScript.";
    signin_title: "登录", "Sign in";
    username: "用户名", "Username";
    password: "密码", "Password";
    signin_submit: "登录", "Sign in";
    signout: "退出登录", "Sign out";
    signed_in_as: "已登录：", "Signed in as ";
    signin_failed: "用户名或密码不正确。", "The username or password is not correct.";
    signin_limited: "登录失败次数过多，请稍后再试。", "Too many failed sign-ins. Please try again later.";
    password_change: "请先通过接口修改密码（changePassword）后再使用本页面。", "Change your password first (changePassword in the API), then use this page.";
    forbidden: "您的角色无权查看此页面的数据。", "Your role may not see this page's figures.";
    loading: "正在加载……", "Loading…";
    dash_title: "全市人才培育进度", "Progress of the city's talent programme";
    scope_city: "全市数据", "Whole city";
    scope_institution: "本机构的份额", "Your institution's share";
    filters: "筛选", "Filters";
    programme: "计划", "Programme";
    track: "方向", "Track";
    district: "区", "District";
    date_from: "起始日期", "From";
    date_to: "截止日期", "To";
    all: "全部", "All";
    apply: "应用", "Apply";
    filter_note: "方向、区和日期筛选作用于每月图表、各区分布和统计导出；目标进度始终为整个计划。", "Track, district and dates filter the monthly chart, the district breakdown and the stats export; target progress is always the whole programme.";
    goals_title: "目标进度", "Targets";
    as_of: "数据截至", "Figures as of";
    final_figures: "（已结项的最终数据）", "(final figures of a closed programme)";
    achieved_of: "完成率", "Share of target";
    in_training: "在培人数", "In training";
    projected: "预计达成日期", "Projected to reach";
    reached: "达成日期", "Reached on";
    on_track: "按期", "On track";
    off_track: "滞后", "Behind";
    none: "—", "—";
    goal_CERTIFIED_HOSTS: "持证直播主播", "Certified livestreaming hosts";
    goal_CERTIFIED_PROFESSIONALS: "持证直播电商专业人才", "Certified e-commerce professionals";
    goal_SERVICE_INSTITUTIONS: "直播电商服务机构", "Leading service institutions";
    goal_BASES_AND_PARKS: "直播基地和园区", "Livestreaming bases and parks";
    goal_ENTERPRISES_LAUNCHED: "开展直播业务的企业", "Enterprises launching livestreaming";
    goal_INFLUENTIAL_HOSTS: "有影响力的主播", "Influential hosts";
    goal_SALES_CNY: "直播电商销售额（元）", "Livestreaming sales (yuan)";
    chart_title: "每月新增持证人数（按方向）", "Newly certified persons per month, by track";
    chart_empty: "所选范围内没有持证记录。", "No certificates in the chosen range.";
    districts_title: "各区分布", "By district";
    month: "月份", "Month";
    trainees: "参训人数", "Trainees";
    enrolments: "报名人次", "Enrolments";
    completions: "结业人次", "Completions";
    certified_persons: "持证人数", "Certified persons";
    total: "合计", "Total";
    exports_title: "导出 CSV", "CSV downloads";
    export_progress: "目标进度", "Target progress";
    export_goals: "全部目标", "All goals";
    export_stats: "各区每月统计", "Districts by month";
    ws_title: "机构工作台", "Institution workspace";
    courses_title: "课程", "Courses";
    course: "课程", "Course";
    hours: "学时", "Hours";
    enrolled: "报名人数", "Enrolled";
    dates: "日期", "Dates";
    open: "打开", "Open";
    no_courses: "暂无课程。", "No courses yet.";
    roster_title: "花名册", "Roster";
    name: "姓名", "Name";
    id_number: "证件号码", "ID number";
    phone: "手机号", "Phone";
    status: "状态", "Status";
    score: "成绩", "Score";
    no_enrolments: "暂无报名。", "No one is enrolled yet.";
    enrolment_ENROLLED: "在培", "In training";
    enrolment_COMPLETED: "已结业", "Passed";
    enrolment_FAILED: "未通过", "Failed";
    enrolment_WITHDRAWN: "已退出", "Withdrawn";
    upload_roster: "上传花名册（CSV）", "Upload a roster (CSV)";
    upload_roster_hint: "第一行为列名：姓名、身份证号（必填），证件类型、手机号、区（可选）。支持 UTF-8 或 GBK。", "The first line names the columns: name and idNumber (required), idType, phone, district. UTF-8 or GBK.";
    file: "文件", "File";
    upload: "上传", "Upload";
    uploaded: "已处理：新报名 {created} 人，被拒绝 {failed} 行。", "Done: {created} enrolled, {failed} rows refused.";
    refused_rows: "被拒绝的行", "Refused rows";
    line: "行号", "Line";
    field: "字段", "Field";
    reason: "原因", "Reason";
    results_title: "录入考核结果", "Record results";
    passed: "通过", "Passed";
    failed: "未通过", "Failed";
    result: "结果", "Result";
    assessed_on: "考核日期", "Assessment date";
    record: "录入", "Record";
    recorded: "已处理：通过 {passed} 人，未通过 {failedCount} 人，被拒绝 {refused} 行。", "Done: {passed} passed, {failedCount} failed, {refused} refused.";
    upload_results: "上传成绩（CSV）", "Upload results (CSV)";
    upload_results_hint: "第一行为列名：身份证号、是否通过（必填），证件类型、成绩、考核日期（可选）。", "The first line names the columns: idNumber and passed (required), idType, score, assessedOn.";
    certificates_title: "证书", "Certificates";
    holder: "持证人", "Holder";
    issued_on: "发证日期", "Issued on";
    qr: "二维码", "QR code";
    no_certificates: "暂无证书。", "No certificates yet.";
    more_rows: "仅显示前 100 条。", "Only the first 100 are shown.";
    request_failed: "请求失败：", "The request failed: ";
}
