"""Microsoft 365: account linking (msal auth code flow), the per-user token cache sealed at
rest, and Microsoft Graph calls."""

# Scopes we ask for; msal adds openid, profile and offline_access itself (passing
# offline_access again is an error in msal).
SCOPES = ["Calendars.ReadWrite", "Mail.Read", "User.Read"]
