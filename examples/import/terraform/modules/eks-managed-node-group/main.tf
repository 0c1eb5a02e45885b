# A cut-down terraform-aws-modules/eks/aws//modules/eks-managed-node-group: aws_eks_node_group.this[0].

variable "name" { type = string }
variable "cluster_name" { type = string }
variable "cluster_version" { type = string }
variable "subnet_ids" { type = list(string) }
variable "instance_types" {
  type    = list(string)
  default = null
}
variable "capacity_type" { type = string }
variable "min_size" { type = number }
variable "max_size" { type = number }
variable "desired_size" { type = number }

resource "aws_iam_role" "this" {
  name = "${var.name}-eks-node-group"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_eks_node_group" "this" {
  count = 1

  cluster_name    = var.cluster_name
  node_group_name = var.name
  node_role_arn   = aws_iam_role.this.arn
  version         = var.cluster_version
  subnet_ids      = var.subnet_ids
  instance_types  = var.instance_types
  capacity_type   = var.capacity_type

  scaling_config {
    min_size     = var.min_size
    max_size     = var.max_size
    desired_size = var.desired_size
  }

  update_config {
    max_unavailable_percentage = 33
  }
}
