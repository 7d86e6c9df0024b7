# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'reinspection_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDateEdit, QDialog,
    QDialogButtonBox, QFormLayout, QGroupBox, QLabel,
    QLineEdit, QPlainTextEdit, QRadioButton, QSizePolicy,
    QVBoxLayout, QWidget)

from oldcomm_desktop.gui.dialogs.record_form import DateField

class Ui_ReinspectionDialog(object):
    def setupUi(self, ReinspectionDialog):
        if not ReinspectionDialog.objectName():
            ReinspectionDialog.setObjectName(u"ReinspectionDialog")
        ReinspectionDialog.resize(680, 720)
        self.mainLayout = QVBoxLayout(ReinspectionDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.summaryBox = QGroupBox(ReinspectionDialog)
        self.summaryBox.setObjectName(u"summaryBox")
        self.summaryLayout = QVBoxLayout(self.summaryBox)
        self.summaryLayout.setObjectName(u"summaryLayout")
        self.summary = QLabel(self.summaryBox)
        self.summary.setObjectName(u"summary")
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.summaryLayout.addWidget(self.summary)

        self.beforeLabel = QLabel(self.summaryBox)
        self.beforeLabel.setObjectName(u"beforeLabel")

        self.summaryLayout.addWidget(self.beforeLabel)

        self.beforeHolder = QWidget(self.summaryBox)
        self.beforeHolder.setObjectName(u"beforeHolder")
        self.beforeLayout = QVBoxLayout(self.beforeHolder)
        self.beforeLayout.setObjectName(u"beforeLayout")
        self.beforeLayout.setContentsMargins(0, 0, 0, 0)

        self.summaryLayout.addWidget(self.beforeHolder)


        self.mainLayout.addWidget(self.summaryBox)

        self.resultBox = QGroupBox(ReinspectionDialog)
        self.resultBox.setObjectName(u"resultBox")
        self.form = QFormLayout(self.resultBox)
        self.form.setObjectName(u"form")
        self.inspectedOnLabel = QLabel(self.resultBox)
        self.inspectedOnLabel.setObjectName(u"inspectedOnLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.inspectedOnLabel)

        self.inspectedOn = QDateEdit(self.resultBox)
        self.inspectedOn.setObjectName(u"inspectedOn")
        self.inspectedOn.setCalendarPopup(True)

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.inspectedOn)

        self.inspectorLabel = QLabel(self.resultBox)
        self.inspectorLabel.setObjectName(u"inspectorLabel")

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.inspectorLabel)

        self.inspector = QLineEdit(self.resultBox)
        self.inspector.setObjectName(u"inspector")
        self.inspector.setMaxLength(100)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.inspector)

        self.resultLabel = QLabel(self.resultBox)
        self.resultLabel.setObjectName(u"resultLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.resultLabel)

        self.resultLayout = QVBoxLayout()
        self.resultLayout.setObjectName(u"resultLayout")
        self.passedRadio = QRadioButton(self.resultBox)
        self.passedRadio.setObjectName(u"passedRadio")

        self.resultLayout.addWidget(self.passedRadio)

        self.failedRadio = QRadioButton(self.resultBox)
        self.failedRadio.setObjectName(u"failedRadio")

        self.resultLayout.addWidget(self.failedRadio)


        self.form.setLayout(2, QFormLayout.ItemRole.FieldRole, self.resultLayout)

        self.afterLabel = QLabel(self.resultBox)
        self.afterLabel.setObjectName(u"afterLabel")

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.afterLabel)

        self.afterHolder = QWidget(self.resultBox)
        self.afterHolder.setObjectName(u"afterHolder")
        self.afterLayout = QVBoxLayout(self.afterHolder)
        self.afterLayout.setObjectName(u"afterLayout")
        self.afterLayout.setContentsMargins(0, 0, 0, 0)

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.afterHolder)

        self.noteLabel = QLabel(self.resultBox)
        self.noteLabel.setObjectName(u"noteLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.noteLabel)

        self.note = QPlainTextEdit(self.resultBox)
        self.note.setObjectName(u"note")
        self.note.setMaximumSize(QSize(16777215, 70))
        self.note.setTabChangesFocus(True)

        self.form.setWidget(4, QFormLayout.ItemRole.FieldRole, self.note)

        self.newDeadlineLabel = QLabel(self.resultBox)
        self.newDeadlineLabel.setObjectName(u"newDeadlineLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.newDeadlineLabel)

        self.newDeadline = DateField(self.resultBox)
        self.newDeadline.setObjectName(u"newDeadline")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.newDeadline)


        self.mainLayout.addWidget(self.resultBox)

        self.hint = QLabel(ReinspectionDialog)
        self.hint.setObjectName(u"hint")
        self.hint.setWordWrap(True)

        self.mainLayout.addWidget(self.hint)

        self.message = QLabel(ReinspectionDialog)
        self.message.setObjectName(u"message")
        self.message.setWordWrap(True)

        self.mainLayout.addWidget(self.message)

        self.buttons = QDialogButtonBox(ReinspectionDialog)
        self.buttons.setObjectName(u"buttons")
        self.buttons.setStandardButtons(QDialogButtonBox.Cancel|QDialogButtonBox.Save)

        self.mainLayout.addWidget(self.buttons)

#if QT_CONFIG(shortcut)
        self.inspectedOnLabel.setBuddy(self.inspectedOn)
        self.inspectorLabel.setBuddy(self.inspector)
        self.noteLabel.setBuddy(self.note)
        self.newDeadlineLabel.setBuddy(self.newDeadline)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.inspectedOn, self.inspector)
        QWidget.setTabOrder(self.inspector, self.passedRadio)
        QWidget.setTabOrder(self.passedRadio, self.failedRadio)
        QWidget.setTabOrder(self.failedRadio, self.note)
        QWidget.setTabOrder(self.note, self.newDeadline)

        self.retranslateUi(ReinspectionDialog)
    # setupUi

    def retranslateUi(self, ReinspectionDialog):
        ReinspectionDialog.setWindowTitle(QCoreApplication.translate("ReinspectionDialog", u"\u6574\u6539\u590d\u67e5", None))
        self.summaryBox.setTitle(QCoreApplication.translate("ReinspectionDialog", u"\u6574\u6539\u4e8b\u9879", None))
        self.beforeLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u68c0\u67e5\u65f6\u7684\u7167\u7247\uff1a", None))
        self.resultBox.setTitle(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5", None))
        self.inspectedOnLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5\u65e5\u671f\uff0a\uff1a", None))
        self.inspectedOn.setDisplayFormat(QCoreApplication.translate("ReinspectionDialog", u"yyyy-MM-dd", None))
        self.inspectorLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5\u4eba\uff1a", None))
        self.resultLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5\u7ed3\u679c\uff0a\uff1a", None))
        self.passedRadio.setText(QCoreApplication.translate("ReinspectionDialog", u"\u5df2\u6574\u6539\uff0c\u590d\u67e5\u5408\u683c\uff08\u9500\u53f7\uff09", None))
        self.failedRadio.setText(QCoreApplication.translate("ReinspectionDialog", u"\u672a\u6574\u6539\u5230\u4f4d\uff0c\u590d\u67e5\u4e0d\u5408\u683c\uff08\u91cd\u65b0\u9650\u671f\u6574\u6539\uff09", None))
        self.afterLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u6574\u6539\u540e\u7167\u7247\uff1a", None))
        self.noteLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5\u8bf4\u660e\uff1a", None))
        self.note.setPlaceholderText(QCoreApplication.translate("ReinspectionDialog", u"\u6ca1\u6709\u6574\u6539\u540e\u7167\u7247\u65f6\uff0c\u5199\u660e\u539f\u56e0", None))
        self.newDeadlineLabel.setText(QCoreApplication.translate("ReinspectionDialog", u"\u65b0\u6574\u6539\u671f\u9650\uff1a", None))
        self.hint.setText(QCoreApplication.translate("ReinspectionDialog", u"\u590d\u67e5\u5408\u683c\u987b\u9644\u6574\u6539\u540e\u7167\u7247\uff0c\u6216\u5728\u8bf4\u660e\u4e2d\u5199\u660e\u6ca1\u6709\u7167\u7247\u7684\u539f\u56e0\uff1b\u590d\u67e5\u4e0d\u5408\u683c\u987b\u7ed9\u51fa\u65b0\u7684\u6574\u6539\u671f\u9650\u3002", None))
    # retranslateUi

