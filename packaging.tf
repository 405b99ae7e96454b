# The deployment package is built without the hashicorp/archive provider: a deterministic
# zipper (packaging/build_package.py) runs at apply time, while the code hash the function
# is compared against is computed at plan time from the source files themselves, so a
# plan on any machine sees the same hash and only a real source change updates the code.

locals {
  build_package = local.create && var.lambda_package_path == null

  lambda_source_dir = "${path.module}/lambda_src"
  packager_path     = "${path.module}/packaging/build_package.py"
  task_package_name = var.task_source_dir == null ? null : coalesce(var.task_package_name, basename(abspath(var.task_source_dir)))

  # Same selection as the packager: no hidden files or directories, no __pycache__ or
  # tests directories, no compiled bytecode.
  excluded_path = "(^|/)(\\.[^/]*|__pycache__|tests)(/|$)|\\.py[co]$"
  # And, for the module's own source only, the packager's exclusion list (operator tools
  # no handler imports): the same file, so the hash covers exactly what the zip holds.
  source_exclusions = [
    for line in split("\n", file("${path.module}/packaging/source_exclusions.txt")) : trimspace(line)
    if trimspace(line) != "" && !startswith(trimspace(line), "#")
  ]
  source_files = local.build_package ? [
    for file in sort(fileset(local.lambda_source_dir, "**")) : file
    if length(regexall(local.excluded_path, file)) == 0 && !contains(local.source_exclusions, file)
  ] : []
  task_files = local.build_package && var.task_source_dir != null ? [
    for file in sort(fileset(var.task_source_dir, "**")) : file if length(regexall(local.excluded_path, file)) == 0
  ] : []

  source_hash = local.build_package ? base64sha256(join("\n", concat(
    ["packager ${filesha256(local.packager_path)}"],
    ["exclusions ${filesha256("${path.module}/packaging/source_exclusions.txt")}"],
    [for file in local.source_files : "source ${file} ${filesha256("${local.lambda_source_dir}/${file}")}"],
    [for file in local.task_files : "task ${local.task_package_name}/${file} ${filesha256("${var.task_source_dir}/${file}")}"],
  ))) : null

  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/builds")
  # The hash is part of the file name: a new package never overwrites the one a
  # function in another workspace still points at.
  built_package_path = local.build_package ? "${local.artifacts_dir}/${var.name}-${substr(sha256(local.source_hash), 0, 16)}.zip" : null

  package_path = var.lambda_package_path != null ? var.lambda_package_path : local.built_package_path
  package_hash = var.lambda_package_path != null ? filebase64sha256(var.lambda_package_path) : local.source_hash
}

resource "terraform_data" "package" {
  count = local.build_package ? 1 : 0

  triggers_replace = {
    source_hash = local.source_hash
    output      = local.built_package_path
  }

  provisioner "local-exec" {
    # The output path is the last argument, so every path reaches the packager unquoted
    # by any shell.
    interpreter = concat(
      [var.python_executable, local.packager_path, "--source", local.lambda_source_dir],
      var.task_source_dir == null ? [] : ["--task-dir", var.task_source_dir, "--task-package-name", local.task_package_name],
    )
    command = local.built_package_path
  }
}
