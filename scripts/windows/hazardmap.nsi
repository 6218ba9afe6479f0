; NSIS installer for hazardmap (Unicode). Built by scripts/windows/make-installer.sh with the native
; Linux makensis; the defines come from there:
;   VERSION (pyproject), BUILD (a build number: a newer build of one version upgrades in place),
;   NUMVER (VERSION.BUILD as four numbers), SRCDIR (the PyInstaller one-folder app), OUTFILE, ICON.
; Promises (scripts/windows/test-wine.sh checks each one under Wine):
; - the program goes to Program Files\hazardmap, with a Start-menu shortcut named in Chinese;
; - one fixed identity: the uninstall key below never changes, so a newer installer finds and upgrades
;   the installed copy (same folder, old program files replaced) and Add/Remove Programs lists one entry;
; - user data (%LOCALAPPDATA%\hazardmap) is never written by the installer and never removed by the
;   uninstaller or an upgrade: this script does not name that folder at all.
; A 64-bit Unicode installer: the app is 64-bit only, and Debian's nsis ships the amd64 stubs (a 32-bit
; installer would also need 32-bit Wine to be tested here).
Target amd64-unicode
ManifestDPIAware true

!include MUI2.nsh
!include x64.nsh
!include FileFunc.nsh

!define APPNAME "hazardmap"
!define DISPLAYNAME "衡南县地质灾害隐患点监测"
!define PUBLISHER "衡南县自然资源局"
; Fixed identity of the product (the same GUID the earlier Inno Setup script used as its AppId).
!define PRODUCT_GUID "{6E0C4B8A-3F7D-4B51-9A2E-7C1D5F0B8E42}"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT_GUID}"
!define SHORTCUT "$SMPROGRAMS\${DISPLAYNAME}.lnk"

Name "${DISPLAYNAME}"
Caption "${DISPLAYNAME} ${VERSION} 安装"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
!ifdef UNCOMPRESSED  ; quick builds for tests only (test-wine.sh's upgrade build)
  SetCompress off
!else
  SetCompressor /SOLID lzma
  SetCompressorDictSize 32
!endif
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${NUMVER}"
VIFileVersion "${NUMVER}"
VIAddVersionKey /LANG=2052 "ProductName" "${DISPLAYNAME}"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "FileDescription" "${DISPLAYNAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${NUMVER}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\hazardmap.exe"
!define MUI_FINISHPAGE_RUN_TEXT "启动 ${DISPLAYNAME}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "本程序需要 64 位 Windows。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ; An installed copy: upgrade it where it is.
  ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
FunctionEnd

Section "hazardmap" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the program's library folder whole, so no file of the old build lingers.
  ; Only our own subfolder is removed: $INSTDIR itself may be a folder the user chose.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SRCDIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "${SHORTCUT}" "$INSTDIR\hazardmap.exe" "" "$INSTDIR\hazardmap.exe" 0 SW_SHOWNORMAL "" "${DISPLAYNAME}"

  ; Add/Remove Programs entry under the fixed key.
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${DISPLAYNAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${NUMVER}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\hazardmap.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  ; The program's own files only, named one by one; RMDir without /r leaves $INSTDIR if anything
  ; else is in it. User data lives elsewhere (%LOCALAPPDATA%\hazardmap) and stays.
  Delete "${SHORTCUT}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\hazardmap.exe"
  Delete "$INSTDIR\hazardmap-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
