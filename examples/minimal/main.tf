# Minimal: the tracker without Amazon Connect. The contact flow is rendered (output
# contact_flow_content) for you to import by hand; nothing is published.

provider "aws" {
  region = var.region
}

module "tracker" {
  source = "../../"

  name         = var.name
  default_task = "simulated_backend"
}
