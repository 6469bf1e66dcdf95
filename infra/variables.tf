variable "project_id" {
  description = "Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region for functions, queues and scheduler jobs."
  type        = string
  default     = "us-central1"
}

variable "firestore_location" {
  description = "Firestore location (a region or multi-region such as nam5)."
  type        = string
  default     = "nam5"
}

variable "embedding_dimension" {
  description = "Dimension of memory embeddings; must equal NUDGE_EMBEDDING_DIMENSION's default."
  type        = number
  default     = 256
}

variable "embedding_model" {
  description = "Embedder used by the functions."
  type        = string
  default     = "gemini-embedding-001"
}

variable "gemini_model" {
  description = "Gemini model for the agent."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "unknown_sender_policy" {
  description = "What to do with texts from unknown numbers: invite-only or open."
  type        = string
  default     = "invite-only"
  validation {
    condition     = contains(["invite-only", "open"], var.unknown_sender_policy)
    error_message = "unknown_sender_policy must be invite-only or open."
  }
}

variable "default_timezone" {
  description = "Timezone assumed until a user tells us theirs."
  type        = string
  default     = "America/New_York"
}

variable "twilio_account_sid" {
  description = "Twilio account SID (not secret; the auth token is in Secret Manager)."
  type        = string
  default     = ""
}

variable "twilio_from_number" {
  description = "The Twilio number people text, E.164."
  type        = string
  default     = ""
}

variable "microsoft_client_id" {
  description = "Application (client) ID of the Azure app registration for Outlook linking (README \"Calendar\"); empty disables it. Its secret is nudge-microsoft-client-secret."
  type        = string
  default     = ""
}

variable "notion_client_id" {
  description = "OAuth client ID of the Notion public integration (README \"Notes\"); empty disables \"link notion\" by OAuth. Its secret is nudge-notion-client-secret."
  type        = string
  default     = ""
}

variable "notion_owner" {
  description = "Phone (E.164) of the one person the internal integration token (nudge-notion-token) is for; empty: nobody."
  type        = string
  default     = ""
}

variable "python_runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python312"
}
