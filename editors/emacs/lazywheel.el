;;; lazywheel.el --- Dependency metadata on hover for requirements files and pyproject.toml -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: tools, languages

;;; Commentary:

;; Starts `lazywheel serve' (a language server for Python dependency documents) with the built-in
;; jsonrpc.el, shows the project's metadata of the dependency at point through eldoc, and keeps
;; the server's diagnostics (unknown project, no matching version, yanked pin, no wheel, syntax
;; errors) per buffer, shown through flymake when `lazywheel-mode' is on.
;;
;;   (require 'lazywheel)
;;   (setq lazywheel-index-url "http://127.0.0.1:8080/simple/")
;;   (add-hook 'find-file-hook #'lazywheel-maybe-enable)
;;
;; Emacs 29+ users of eglot can instead rely on the `eglot-server-programs' entry added below.

;;; Code:

(require 'jsonrpc)
(require 'eldoc)
(require 'flymake)
(require 'subr-x)

(defgroup lazywheel nil "Python dependency metadata from lazywheel." :group 'tools)

(defcustom lazywheel-server-command '("lazywheel" "serve")
  "Command starting the lazywheel server." :type '(repeat string))
(defcustom lazywheel-index-url nil "Simple index URL (nil: environment, pip.conf, uv.toml)." :type '(choice (const nil) string))
(defcustom lazywheel-python nil "Target Python version, e.g. \"3.12\"." :type '(choice (const nil) string))
(defcustom lazywheel-platform nil "Target platform tag, e.g. \"manylinux_2_28_x86_64\"." :type '(choice (const nil) string))

(defvar lazywheel--connection nil "The running server connection.")
(defvar lazywheel--diagnostics (make-hash-table :test #'equal) "URI to the last published diagnostics.")
(defvar-local lazywheel--version 0 "Version of the buffer's text last sent to the server.")

(defun lazywheel-dependency-file-p (file-name)
  "Whether FILE-NAME is a requirements/constraints file or pyproject.toml."
  (let ((base (downcase (file-name-nondirectory (or file-name "")))))
    (or (string= base "pyproject.toml")
        (string-suffix-p ".in" base)
        (and (string-suffix-p ".txt" base)
             (or (string-match-p "requirement" base) (string-prefix-p "constraint" base))))))

(defun lazywheel--initialization-options ()
  (append (when lazywheel-index-url (list :indexUrl lazywheel-index-url))
          (when lazywheel-python (list :python lazywheel-python))
          (when lazywheel-platform (list :platform lazywheel-platform))))

(defun lazywheel--notification (_connection method params)
  "Handle server notification METHOD with PARAMS."
  (when (eq method 'textDocument/publishDiagnostics)
    (puthash (plist-get params :uri) (append (plist-get params :diagnostics) nil) lazywheel--diagnostics)))

(defun lazywheel-connection ()
  "The server connection, started on first use."
  (unless (and lazywheel--connection (jsonrpc-running-p lazywheel--connection))
    (let* ((process (make-process :name "lazywheel" :command lazywheel-server-command
                                  :connection-type 'pipe :coding 'utf-8-emacs-unix :noquery t
                                  :stderr (get-buffer-create " *lazywheel stderr*")))
           (connection (make-instance 'jsonrpc-process-connection :name "lazywheel" :process process
                                      :notification-dispatcher #'lazywheel--notification
                                      :request-dispatcher (lambda (&rest _) nil))))
      (jsonrpc-request connection :initialize
                       (list :processId (emacs-pid) :clientInfo '(:name "lazywheel.el") :capabilities '(:window (:workDoneProgress t))
                             :initializationOptions (or (lazywheel--initialization-options) #s(hash-table))))
      (jsonrpc-notify connection :initialized #s(hash-table))
      (setq lazywheel--connection connection)))
  lazywheel--connection)

(defun lazywheel--uri () (concat "file://" (expand-file-name buffer-file-name)))

(defun lazywheel--position ()
  "The LSP position of point (UTF-16 character offset)."
  (let ((line (1- (line-number-at-pos)))
        (prefix (buffer-substring-no-properties (line-beginning-position) (point))))
    (list :line line :character (/ (length (encode-coding-string prefix 'utf-16le)) 2))))

(defun lazywheel--did-open ()
  (setq lazywheel--version 1)
  (jsonrpc-notify (lazywheel-connection) :textDocument/didOpen
                  (list :textDocument (list :uri (lazywheel--uri) :languageId "plaintext" :version lazywheel--version
                                            :text (buffer-substring-no-properties (point-min) (point-max))))))

(defun lazywheel--did-change (&rest _)
  (when lazywheel-mode
    (setq lazywheel--version (1+ lazywheel--version))
    (jsonrpc-notify (lazywheel-connection) :textDocument/didChange
                    (list :textDocument (list :uri (lazywheel--uri) :version lazywheel--version)
                          :contentChanges (vector (list :text (buffer-substring-no-properties (point-min) (point-max))))))))

(defun lazywheel-hover-at-point ()
  "The Markdown the server shows for the dependency at point, or nil."
  (let ((result (jsonrpc-request (lazywheel-connection) :textDocument/hover
                                 (list :textDocument (list :uri (lazywheel--uri)) :position (lazywheel--position))
                                 :timeout 30)))
    (when result (plist-get (plist-get result :contents) :value))))

(defun lazywheel-eldoc-function (&rest _)
  "Eldoc documentation function: the hover of the dependency at point."
  (when lazywheel-mode
    (condition-case nil (lazywheel-hover-at-point) (error nil))))

(defun lazywheel-buffer-diagnostics ()
  "The diagnostics the server last published for this buffer (plists)."
  (gethash (lazywheel--uri) lazywheel--diagnostics))

(defun lazywheel--flymake (report &rest _)
  "Flymake backend reporting the server's diagnostics through REPORT."
  (funcall report
           (mapcar (lambda (d)
                     (let* ((range (plist-get d :range))
                            (start (plist-get range :start))
                            (end (plist-get range :end))
                            (pos (lambda (p) (save-excursion (goto-char (point-min)) (forward-line (plist-get p :line))
                                                             (min (line-end-position) (+ (point) (plist-get p :character)))))))
                       (flymake-make-diagnostic (current-buffer) (funcall pos start) (max (1+ (funcall pos start)) (funcall pos end))
                                                (if (eq (plist-get d :severity) 1) :error :warning) (plist-get d :message))))
                   (lazywheel-buffer-diagnostics))))

;;;###autoload
(define-minor-mode lazywheel-mode
  "Dependency metadata on hover (eldoc) and diagnostics from lazywheel."
  :lighter " wheel"
  (if lazywheel-mode
      (progn
        (lazywheel--did-open)
        (add-hook 'after-change-functions #'lazywheel--did-change nil t)
        (add-hook 'eldoc-documentation-functions #'lazywheel-eldoc-function nil t)
        (add-hook 'flymake-diagnostic-functions #'lazywheel--flymake nil t))
    (remove-hook 'after-change-functions #'lazywheel--did-change t)
    (remove-hook 'eldoc-documentation-functions #'lazywheel-eldoc-function t)
    (remove-hook 'flymake-diagnostic-functions #'lazywheel--flymake t)
    (when lazywheel--connection
      (jsonrpc-notify lazywheel--connection :textDocument/didClose (list :textDocument (list :uri (lazywheel--uri)))))))

;;;###autoload
(defun lazywheel-maybe-enable ()
  "Enable `lazywheel-mode' in dependency documents (for `find-file-hook')."
  (when (and buffer-file-name (lazywheel-dependency-file-p buffer-file-name))
    (lazywheel-mode 1)))

;;;###autoload
(with-eval-after-load 'eglot
  (defvar eglot-server-programs)
  (add-to-list 'eglot-server-programs
               '((pip-requirements-mode conf-toml-mode toml-ts-mode) . ("lazywheel" "serve"))))

(provide 'lazywheel)
;;; lazywheel.el ends here
