# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'inspection_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDateEdit,
    QDialog, QDialogButtonBox, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QSizePolicy, QSplitter, QVBoxLayout, QWidget)

class Ui_InspectionDialog(object):
    def setupUi(self, InspectionDialog):
        if not InspectionDialog.objectName():
            InspectionDialog.setObjectName(u"InspectionDialog")
        InspectionDialog.resize(1120, 760)
        self.mainLayout = QVBoxLayout(InspectionDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.headerLayout = QGridLayout()
        self.headerLayout.setObjectName(u"headerLayout")
        self.headerLayout.setHorizontalSpacing(10)
        self.kindLabel = QLabel(InspectionDialog)
        self.kindLabel.setObjectName(u"kindLabel")

        self.headerLayout.addWidget(self.kindLabel, 0, 0, 1, 1)

        self.kindCombo = QComboBox(InspectionDialog)
        self.kindCombo.setObjectName(u"kindCombo")

        self.headerLayout.addWidget(self.kindCombo, 0, 1, 1, 1)

        self.templateLabel = QLabel(InspectionDialog)
        self.templateLabel.setObjectName(u"templateLabel")

        self.headerLayout.addWidget(self.templateLabel, 0, 2, 1, 1)

        self.templateCombo = QComboBox(InspectionDialog)
        self.templateCombo.setObjectName(u"templateCombo")

        self.headerLayout.addWidget(self.templateCombo, 0, 3, 1, 1)

        self.communityLabel = QLabel(InspectionDialog)
        self.communityLabel.setObjectName(u"communityLabel")

        self.headerLayout.addWidget(self.communityLabel, 1, 0, 1, 1)

        self.communityHolder = QWidget(InspectionDialog)
        self.communityHolder.setObjectName(u"communityHolder")
        self.communityLayout = QHBoxLayout(self.communityHolder)
        self.communityLayout.setObjectName(u"communityLayout")
        self.communityLayout.setContentsMargins(0, 0, 0, 0)

        self.headerLayout.addWidget(self.communityHolder, 1, 1, 1, 1)

        self.inspectedOnLabel = QLabel(InspectionDialog)
        self.inspectedOnLabel.setObjectName(u"inspectedOnLabel")

        self.headerLayout.addWidget(self.inspectedOnLabel, 1, 2, 1, 1)

        self.inspectedOn = QDateEdit(InspectionDialog)
        self.inspectedOn.setObjectName(u"inspectedOn")
        self.inspectedOn.setCalendarPopup(True)

        self.headerLayout.addWidget(self.inspectedOn, 1, 3, 1, 1)

        self.inspectorsLabel = QLabel(InspectionDialog)
        self.inspectorsLabel.setObjectName(u"inspectorsLabel")

        self.headerLayout.addWidget(self.inspectorsLabel, 2, 0, 1, 1)

        self.inspectors = QLineEdit(InspectionDialog)
        self.inspectors.setObjectName(u"inspectors")
        self.inspectors.setMaxLength(200)

        self.headerLayout.addWidget(self.inspectors, 2, 1, 1, 3)


        self.mainLayout.addLayout(self.headerLayout)

        self.splitter = QSplitter(InspectionDialog)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.checklistBox = QGroupBox(self.splitter)
        self.checklistBox.setObjectName(u"checklistBox")
        self.checklistLayout = QVBoxLayout(self.checklistBox)
        self.checklistLayout.setObjectName(u"checklistLayout")
        self.totalLabel = QLabel(self.checklistBox)
        self.totalLabel.setObjectName(u"totalLabel")

        self.checklistLayout.addWidget(self.totalLabel)

        self.splitter.addWidget(self.checklistBox)
        self.rightPane = QWidget(self.splitter)
        self.rightPane.setObjectName(u"rightPane")
        self.rightLayout = QVBoxLayout(self.rightPane)
        self.rightLayout.setObjectName(u"rightLayout")
        self.rightLayout.setContentsMargins(0, 0, 0, 0)
        self.findingsLabel = QLabel(self.rightPane)
        self.findingsLabel.setObjectName(u"findingsLabel")

        self.rightLayout.addWidget(self.findingsLabel)

        self.findings = QPlainTextEdit(self.rightPane)
        self.findings.setObjectName(u"findings")
        self.findings.setMaximumSize(QSize(16777215, 80))
        self.findings.setTabChangesFocus(True)

        self.rightLayout.addWidget(self.findings)

        self.photosBox = QGroupBox(self.rightPane)
        self.photosBox.setObjectName(u"photosBox")
        self.photosLayout = QVBoxLayout(self.photosBox)
        self.photosLayout.setObjectName(u"photosLayout")

        self.rightLayout.addWidget(self.photosBox)

        self.rectBox = QGroupBox(self.rightPane)
        self.rectBox.setObjectName(u"rectBox")
        self.rectLayout = QVBoxLayout(self.rectBox)
        self.rectLayout.setObjectName(u"rectLayout")

        self.rightLayout.addWidget(self.rectBox)

        self.splitter.addWidget(self.rightPane)

        self.mainLayout.addWidget(self.splitter)

        self.message = QLabel(InspectionDialog)
        self.message.setObjectName(u"message")
        self.message.setWordWrap(True)

        self.mainLayout.addWidget(self.message)

        self.buttons = QDialogButtonBox(InspectionDialog)
        self.buttons.setObjectName(u"buttons")
        self.buttons.setStandardButtons(QDialogButtonBox.Cancel|QDialogButtonBox.Save)

        self.mainLayout.addWidget(self.buttons)

#if QT_CONFIG(shortcut)
        self.kindLabel.setBuddy(self.kindCombo)
        self.templateLabel.setBuddy(self.templateCombo)
        self.inspectedOnLabel.setBuddy(self.inspectedOn)
        self.inspectorsLabel.setBuddy(self.inspectors)
        self.findingsLabel.setBuddy(self.findings)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.kindCombo, self.templateCombo)
        QWidget.setTabOrder(self.templateCombo, self.inspectedOn)
        QWidget.setTabOrder(self.inspectedOn, self.inspectors)
        QWidget.setTabOrder(self.inspectors, self.findings)

        self.retranslateUi(InspectionDialog)
    # setupUi

    def retranslateUi(self, InspectionDialog):
        InspectionDialog.setWindowTitle(QCoreApplication.translate("InspectionDialog", u"\u8bb0\u5f55\u68c0\u67e5", None))
        self.kindLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u68c0\u67e5\u7c7b\u578b\uff0a\uff1a", None))
        self.templateLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u68c0\u67e5\u8868\uff1a", None))
        self.communityLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u88ab\u68c0\u67e5\u5c0f\u533a\uff0a\uff1a", None))
        self.inspectedOnLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u68c0\u67e5\u65e5\u671f\uff0a\uff1a", None))
        self.inspectedOn.setDisplayFormat(QCoreApplication.translate("InspectionDialog", u"yyyy-MM-dd", None))
        self.inspectorsLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u68c0\u67e5\u4eba\u5458\uff1a", None))
        self.inspectors.setPlaceholderText(QCoreApplication.translate("InspectionDialog", u"\u5982\uff1a\u53bf\u4f4f\u5efa\u5c40 \u5468\u5de5\u3001\u4e61\u9547 \u738b\u654f", None))
        self.checklistBox.setTitle(QCoreApplication.translate("InspectionDialog", u"\u68c0\u67e5\u9879", None))
        self.totalLabel.setText("")
        self.findingsLabel.setText(QCoreApplication.translate("InspectionDialog", u"\u53d1\u73b0\u95ee\u9898\uff1a", None))
        self.findings.setPlaceholderText(QCoreApplication.translate("InspectionDialog", u"\u73b0\u573a\u53d1\u73b0\u7684\u95ee\u9898\uff1b\u6ca1\u6709\u95ee\u9898\u53ef\u5199\u201c\u672a\u53d1\u73b0\u95ee\u9898\u201d", None))
        self.photosBox.setTitle(QCoreApplication.translate("InspectionDialog", u"\u73b0\u573a\u7167\u7247", None))
        self.rectBox.setTitle(QCoreApplication.translate("InspectionDialog", u"\u6574\u6539\u901a\u77e5\uff08\u4e0d\u5408\u683c\u9879\u987b\u9650\u671f\u6574\u6539\uff09", None))
    # retranslateUi

