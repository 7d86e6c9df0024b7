"""Ask for a server's password when the URL names a user but no password; 记住密码 hands it to the operating
system's keyring (storage.secrets), never to a settings file."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import colours
from oldcomm_desktop.storage import secrets


class PasswordDialog(QDialog):
    def __init__(self, url: str, parent: QWidget | None = None, *, message: str = ""):
        super().__init__(parent)
        self.setWindowTitle("连接服务器数据库")
        self.setObjectName("password_dialog")
        intro = QLabel(f"请输入服务器数据库的密码：\n{secrets.mask_url(url)}")
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("记住密码（保存在操作系统的密码库中，不写入任何文件）")
        self.remember.setObjectName("remember_password")
        self.error = QLabel(message)
        self.error.setObjectName("password_message")
        self.error.setStyleSheet(colours.text_style("error"))
        self.error.setWordWrap(True)
        self.error.setVisible(bool(message))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("连接")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password)
        layout.addWidget(self.remember)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())


def ask_password(url: str, parent: QWidget | None = None, *, message: str = "") -> tuple[str, bool] | None:
    """(password, remember) or None when the clerk cancels."""
    dialog = PasswordDialog(url, parent, message=message)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password.text(), dialog.remember.isChecked()


def complete_url(url: str, parent: QWidget | None = None, *, message: str = "") -> tuple[str, bool] | None:
    """`url` with its password: the keyring's if it remembers one (and no `message` says it failed), else
    the clerk's. Returns (url, typed) — typed is True when the clerk typed it — or None when cancelled.
    A typed password is remembered only after the connection works (see `remember_if_asked`)."""
    if not secrets.needs_password(url):
        return url, False
    if not message:
        remembered = secrets.password_for(url)
        if remembered is not None:
            return secrets.with_password(url, remembered), False
    answer = ask_password(url, parent, message=message)
    if answer is None:
        return None
    password, remember = answer
    _PENDING[url] = (password, remember)
    return secrets.with_password(url, password), True


_PENDING: dict[str, tuple[str, bool]] = {}


def remember_if_asked(url: str) -> None:
    """After a successful connection: keep a password the clerk asked us to remember (keyring only)."""
    password, remember = _PENDING.pop(url, ("", False))
    if remember and password:
        secrets.remember_password(url, password)
