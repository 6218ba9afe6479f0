; Inno Setup script for hazardmap (Windows installer).
; Build on Windows (see scripts/windows/build.ps1):  iscc /DAppVersion=0.1.0 scripts\windows\hazardmap.iss
; Installs the PyInstaller one-folder build (dist\hazardmap) under Program Files with a Start-menu
; shortcut and an uninstaller. User data never goes here: it lives in %LOCALAPPDATA%\hazardmap and is
; neither written by the installer nor removed by the uninstaller, so upgrades keep every log.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
; A fixed AppId makes a newer installer upgrade the existing installation in place.
AppId={{6E0C4B8A-3F7D-4B51-9A2E-7C1D5F0B8E42}
AppName=hazardmap 衡南县地质灾害隐患点监测
AppVersion={#AppVersion}
AppVerName=hazardmap {#AppVersion}
AppPublisher=衡南县自然资源局
DefaultDirName={autopf}\hazardmap
DefaultGroupName=hazardmap 地质灾害监测
DisableProgramGroupPage=yes
OutputDir=..\..\dist\installer
OutputBaseFilename=hazardmap-{#AppVersion}-setup
SetupIconFile=..\..\resources\hazardmap.ico
UninstallDisplayIcon={app}\hazardmap.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "default"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "快捷方式:"

[InstallDelete]
; An upgrade replaces the whole program folder so no file of the old version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\..\dist\hazardmap\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\hazardmap 地质灾害监测"; Filename: "{app}\hazardmap.exe"
Name: "{group}\卸载 hazardmap"; Filename: "{uninstallexe}"
Name: "{autodesktop}\hazardmap 地质灾害监测"; Filename: "{app}\hazardmap.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\hazardmap.exe"; Description: "启动 hazardmap"; Flags: nowait postinstall skipifsilent
