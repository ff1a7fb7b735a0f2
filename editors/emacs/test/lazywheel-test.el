;;; lazywheel-test.el --- ERT tests of lazywheel.el against the real server -*- lexical-binding: t -*-
;; Run by Tests/EndToEnd/test_editors.py:
;;   emacs --batch -Q -L editors/emacs -l editors/emacs/test/lazywheel-test.el -f ert-run-tests-batch-and-exit
;; with LAZYWHEEL_BIN, LAZYWHEEL_TEST_INDEX_URL, LAZYWHEEL_TEST_REQUIREMENTS, LAZYWHEEL_TEST_PYPROJECT.

(require 'ert)
(require 'lazywheel)

(setq lazywheel-server-command (list (getenv "LAZYWHEEL_BIN") "serve")
      lazywheel-index-url (getenv "LAZYWHEEL_TEST_INDEX_URL")
      lazywheel-python "3.12"
      lazywheel-platform "manylinux_2_28_x86_64")

(defun lazywheel-test--hover ()
  "The hover at point, through the asynchronous eldoc function (waits for the callback)."
  (let ((done nil) (text nil) (deadline (+ (float-time) 20)))
    (should (eq t (lazywheel-eldoc-function (lambda (doc &rest _) (setq text doc done t)))))
    (while (and (not done) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    text))

(defun lazywheel-test--wait-diagnostics (code)
  "Wait until the buffer's diagnostics include CODE; return them."
  (let ((deadline (+ (float-time) 20)) found)
    (while (and (not found) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (setq found (seq-find (lambda (d) (equal (plist-get d :code) code)) (lazywheel-buffer-diagnostics))))
    (lazywheel-buffer-diagnostics)))

(ert-deftest lazywheel-requirements-hover-and-diagnostics ()
  (with-current-buffer (find-file-noselect (getenv "LAZYWHEEL_TEST_REQUIREMENTS"))
    (lazywheel-maybe-enable)
    (should lazywheel-mode)
    (goto-char (point-min))
    (forward-char 2)
    (should eldoc-mode)
    (let ((hover (lazywheel-test--hover)))
      (should (string-match-p "\\*\\*idna\\*\\* `3\\.10`" hover))
      (should (string-match-p "Internationalized Domain Names" hover)))
    (let ((diagnostics (lazywheel-test--wait-diagnostics "unknown-project")))
      (should (seq-find (lambda (d) (equal (plist-get d :code) "no-matching-version")) diagnostics))
      (should (equal 2 (plist-get (plist-get (plist-get (seq-find (lambda (d) (equal (plist-get d :code) "unknown-project")) diagnostics)
                                                        :range) :start) :line))))))

(ert-deftest lazywheel-pyproject-hover-after-edit ()
  (with-current-buffer (find-file-noselect (getenv "LAZYWHEEL_TEST_PYPROJECT"))
    (lazywheel-maybe-enable)
    (goto-char (point-min))
    (forward-line 2)
    (forward-char 19)
    (should (string-match-p "\\*\\*requests\\*\\* `2\\.32\\.3`" (lazywheel-test--hover)))
    ;; An edit is sent (full sync) and diagnosed again.
    (goto-char (point-max))
    (insert "\n[dependency-groups]\ndev = [\"urllib3>=99\"]\n")
    (should (lazywheel-test--wait-diagnostics "no-matching-version"))))

(ert-deftest lazywheel-eglot-entry ()
  (require 'eglot nil t)
  (when (featurep 'eglot)
    (should (assoc '(lazywheel-requirements-mode pip-requirements-mode conf-toml-mode toml-ts-mode) eglot-server-programs))))

;;; lazywheel-test.el ends here
