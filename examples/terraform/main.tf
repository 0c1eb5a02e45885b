# ipplan as a Terraform `external` data source: check, at plan time, that the node group's subnets hold
# its pods, and fail the plan (with ipplan's reason) when they do not.
#
#   terraform init && terraform plan
#
# `ipplan` must be on PATH (cargo install --path crates/ipplan-cli). The query is a flat map of strings
# (Terraform's protocol); see the query table in crates/ipplan-planner/src/terraform.rs or the README.

variable "private_subnet_cidrs" {
  type    = list(string)
  default = ["10.20.1.0/24", "10.20.2.0/24"]
}

variable "azs" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}

data "external" "ip_plan" {
  program = ["ipplan", "terraform"]

  query = {
    instance_type     = "c6i.large"
    subnet_cidrs      = join(",", var.private_subnet_cidrs)
    subnet_azs        = join(",", var.azs)
    nodes             = tostring(30)
    pods              = tostring(200)
    surge             = tostring(3)
    mode              = "secondary-ip"
    warm_eni_target   = tostring(1)
    max_pods          = "auto"
  }
}

locals {
  ip_plan = data.external.ip_plan.result
  report  = jsondecode(local.ip_plan.report_json)
}

# Stop the plan when the subnets cannot hold the cluster at peak. A precondition fails `terraform plan` (exit 1)
# with ipplan's reason; a `check` block would only print a warning and let the plan (and the apply) go on.
# `terraform_data` is built into Terraform (1.4+): it needs no provider.
resource "terraform_data" "ip_plan_gate" {
  input = local.ip_plan.fits

  lifecycle {
    precondition {
      condition     = local.ip_plan.fits == "true"
      error_message = "ipplan: ${local.ip_plan.first_failure}"
    }
  }
}

output "max_pods" {
  # feed this to the launch template / kubelet maxPods
  value = tonumber(local.ip_plan.max_pods)
}

output "addresses_per_node" {
  value = tonumber(local.ip_plan.addresses_per_node)
}

output "subnet_headroom" {
  value = { for s in local.report.subnets : s.name => s.headroom }
}
