locals {
  repo_root = abspath("${path.module}/..")

  # One source of truth, shared with the local stack (emulators/) and the tests.
  functions = jsondecode(file("${path.module}/functions.json"))
  queues    = jsondecode(file("${path.module}/queues.json"))
  cron_jobs = jsondecode(file("${path.module}/cron_jobs.json"))

  # Private functions an operator calls from outside Google Cloud (not queue or cron targets):
  # they keep ingress ALLOW_ALL, behind the invoker IAM check like every private function.
  operator_functions = toset(["health"])

  secrets = toset([
    "twilio-auth-token",
    "gemini-api-key",
    "microsoft-client-secret",
    "notion-token",
    "notion-client-secret",
    "youtube-api-key",
    "token-encryption-key",
    "api-signing-key",
  ])

  # Every bundle is the function's own folder plus the shared `nudge` package, with its data
  # files (the offline model's intents, the sample calendar, the page's stylesheet).
  nudge_files = [
    for f in fileset("${local.repo_root}/shared", "nudge/**/*.{py,json,ics,css}") : f
  ]

  function_url = {
    for name, _ in local.functions :
    name => "https://${var.region}-${var.project_id}.cloudfunctions.net/${name}"
  }

  common_env = {
    NUDGE_ENVIRONMENT                  = "cloud"
    NUDGE_PROJECT_ID                   = var.project_id
    NUDGE_REGION                       = var.region
    NUDGE_TASK_AUTH                    = "oidc"
    NUDGE_TASK_INVOKER_SERVICE_ACCOUNT = google_service_account.invoker.email
    NUDGE_FUNCTION_URL_TEMPLATE        = "https://{region}-{project}.cloudfunctions.net/{name}"
    NUDGE_PUBLIC_BASE_URL              = "https://${var.region}-${var.project_id}.cloudfunctions.net/sms_webhook"
    NUDGE_API_BASE_URL                 = "https://${var.region}-${var.project_id}.cloudfunctions.net/api"
    NUDGE_GEMINI_MODEL                 = var.gemini_model
    NUDGE_EMBEDDING_MODEL              = var.embedding_model
    NUDGE_EMBEDDING_DIMENSION          = tostring(var.embedding_dimension)
    NUDGE_UNKNOWN_SENDER_POLICY        = var.unknown_sender_policy
    NUDGE_DEFAULT_TIMEZONE             = var.default_timezone
    NUDGE_TWILIO_ACCOUNT_SID           = var.twilio_account_sid
    NUDGE_TWILIO_FROM_NUMBER           = var.twilio_from_number
    NUDGE_MICROSOFT_CLIENT_ID          = var.microsoft_client_id
    NUDGE_NOTION_CLIENT_ID             = var.notion_client_id
    NUDGE_NOTION_OWNER                 = var.notion_owner
  }

  secret_env_names = {
    "twilio-auth-token"       = "NUDGE_TWILIO_AUTH_TOKEN"
    "gemini-api-key"          = "NUDGE_GEMINI_API_KEY"
    "microsoft-client-secret" = "NUDGE_MICROSOFT_CLIENT_SECRET"
    "notion-token"            = "NUDGE_NOTION_TOKEN"
    "notion-client-secret"    = "NUDGE_NOTION_CLIENT_SECRET"
    "youtube-api-key"         = "NUDGE_YOUTUBE_API_KEY"
    "token-encryption-key"    = "NUDGE_TOKEN_ENCRYPTION_KEY"
    "api-signing-key"         = "NUDGE_API_SIGNING_KEY"
  }
}

resource "google_project_service" "apis" {
  for_each = toset([
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudtasks.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "secretmanager.googleapis.com",
    "iam.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}
