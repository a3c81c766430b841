//! The request categories (DESIGN.md §4): a stable list, each with its base risk.

use crate::evidence::{Lang, Risk};
use serde::{Deserialize, Serialize};

macro_rules! intents {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $risk:ident, $en:literal, $ja:literal; )*) => {
        /// What a request asks for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Intent {
            $( $(#[$doc])* $variant, )*
        }

        impl Intent {
            /// Every intent, in documentation order.
            pub const ALL: &[Intent] = &[ $( Intent::$variant, )* ];

            /// The stable id, as in rule files and evidence codes.
            pub fn id(self) -> &'static str {
                match self { $( Intent::$variant => $id, )* }
            }

            /// The base risk, before escalation.
            pub fn risk(self) -> Risk {
                match self { $( Intent::$variant => Risk::$risk, )* }
            }

            /// What is asked for, as a noun phrase.
            pub fn describe(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (Intent::$variant, Lang::En) => $en, (Intent::$variant, Lang::Ja) => $ja, )*
                }
            }
        }
    };
}

intents! {
    /// Reset or change of a password.
    PasswordReset = "password_reset", R2, "a password reset", "パスワードのリセット";
    /// Change of the login or contact email.
    EmailChange = "email_change", R2, "a change of the account's email address", "メールアドレスの変更";
    /// Change of the phone number on the account.
    PhoneChange = "phone_change", R2, "a change of the account's phone number", "電話番号の変更";
    /// Disclosure of a username, login email or whether an account exists.
    AccountDisclosure = "account_disclosure", R2, "disclosure of account details (username, login email)", "アカウント情報（ユーザー名・ログインメール）の開示";
    /// Creation or disclosure of an API token or key.
    ApiToken = "api_token", R2, "an API token or key", "API トークン・キーの発行";
    /// Export of account or customer data.
    DataExport = "data_export", R2, "an export of data", "データのエクスポート";
    /// Unlocking or reactivating an account.
    AccountUnlock = "account_unlock", R2, "unlocking the account", "アカウントのロック解除";
    /// Disabling, resetting or moving multi-factor authentication, or recovery codes.
    MfaChange = "mfa_change", R3, "a change to multi-factor authentication", "多要素認証の解除・変更";
    /// Admin, owner or permission grants.
    RoleChange = "role_change", R3, "a role or permission change", "権限・ロールの変更";
    /// Disclosure of a password, one-time code or recovery code.
    CredentialDisclosure = "credential_disclosure", R3, "disclosure of a password or code", "パスワード・認証コードの開示";
    /// Change of payout or bank details.
    PaymentChange = "payment_change", R3, "a change of payout or bank details", "振込先・支払い情報の変更";
    /// Change of SSO, identity provider, IP restrictions or security policy.
    SsoChange = "sso_change", R3, "a change of SSO or access policy", "SSO・アクセス制限の変更";
    /// Sending a reset, code or link to another address or number.
    RecoveryRedirect = "recovery_redirect", R3, "sending a reset or code to a different address or number", "別のアドレス・番号へのリセットやコードの送付";
    /// Mail forwarding or mailbox delegation.
    MailForwarding = "mail_forwarding", R3, "mail forwarding or delegation", "メール転送・代理アクセスの設定";
}

impl std::fmt::Display for Intent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
