# Builds the Windows installer. Run in PowerShell on a Windows 10/11 x64 machine with Python 3.11
# (python.org installer) and Inno Setup 6 (https://jrsoftware.org, or `choco install innosetup`):
#   powershell -ExecutionPolicy Bypass -File scripts\windows\build.ps1
# Output: dist\hazardmap\ (one-folder app) and dist\installer\hazardmap-<version>-setup.exe
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

python -m venv .venv-win
.\.venv-win\Scripts\python -m pip install --upgrade pip
.\.venv-win\Scripts\python -m pip install -e ".[build]"

.\.venv-win\Scripts\pyinstaller --noconfirm build.spec
# The frozen app proves itself before it is packaged.
.\dist\hazardmap\hazardmap-cli.exe selftest
if ($LASTEXITCODE -ne 0) { throw "selftest failed" }

$version = (.\.venv-win\Scripts\python -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])").Trim()
$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (-not (Test-Path $iscc)) { $iscc = "iscc" }
& $iscc "/DAppVersion=$version" scripts\windows\hazardmap.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "installer: dist\installer\hazardmap-$version-setup.exe"
